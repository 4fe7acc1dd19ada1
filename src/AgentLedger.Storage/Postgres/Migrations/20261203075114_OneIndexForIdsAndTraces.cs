using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentLedger.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OneIndexForIdsAndTraces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_agent_executions_agent_name_trace_id",
                table: "agent_executions");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_agent_name_trace_id",
                table: "agent_executions",
                columns: new[] { "agent_name", "trace_id" });
        }
    }
}
