using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentLedger.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OtlpIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_agent_executions_agent_name_scheduled_for",
                table: "agent_executions");

            migrationBuilder.DropIndex(
                name: "ix_agent_executions_agent_name_trace_id",
                table: "agent_executions");

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_agent_name_scheduled_for",
                table: "agent_executions",
                columns: new[] { "agent_name", "scheduled_for" },
                unique: true,
                filter: "scheduled_for IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_agent_executions_agent_name_scheduled_for",
                table: "agent_executions");

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_agent_name_scheduled_for",
                table: "agent_executions",
                columns: new[] { "agent_name", "scheduled_for" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_agent_name_trace_id",
                table: "agent_executions",
                columns: new[] { "agent_name", "trace_id" });
        }
    }
}
