using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentLedger.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ExternalAgentLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "completion_hash",
                table: "agent_executions_archive",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "heartbeat_seconds",
                table: "agent_executions_archive",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "over_timeout",
                table: "agent_executions_archive",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "report_hash",
                table: "agent_executions_archive",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "completion_hash",
                table: "agent_executions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "heartbeat_seconds",
                table: "agent_executions",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "over_timeout",
                table: "agent_executions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "report_hash",
                table: "agent_executions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "completion_hash",
                table: "agent_executions_archive");

            migrationBuilder.DropColumn(
                name: "heartbeat_seconds",
                table: "agent_executions_archive");

            migrationBuilder.DropColumn(
                name: "over_timeout",
                table: "agent_executions_archive");

            migrationBuilder.DropColumn(
                name: "report_hash",
                table: "agent_executions_archive");

            migrationBuilder.DropColumn(
                name: "completion_hash",
                table: "agent_executions");

            migrationBuilder.DropColumn(
                name: "heartbeat_seconds",
                table: "agent_executions");

            migrationBuilder.DropColumn(
                name: "over_timeout",
                table: "agent_executions");

            migrationBuilder.DropColumn(
                name: "report_hash",
                table: "agent_executions");
        }
    }
}
