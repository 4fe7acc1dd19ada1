using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentLedger.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OtlpTraces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "parent_execution_id",
                table: "agent_executions_archive",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "span_id",
                table: "agent_executions_archive",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "trace_id",
                table: "agent_executions_archive",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "parent_execution_id",
                table: "agent_executions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "span_id",
                table: "agent_executions",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "trace_id",
                table: "agent_executions",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "otlp_held_spans",
                columns: table => new
                {
                    trace_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    span_id = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    parent_span_id = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    figures = table.Column<string>(type: "text", nullable: true),
                    model = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    provider = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_otlp_held_spans", x => new { x.trace_id, x.span_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_agent_name_trace_id",
                table: "agent_executions",
                columns: new[] { "agent_name", "trace_id" });

            migrationBuilder.CreateIndex(
                name: "ix_otlp_held_spans_received_at",
                table: "otlp_held_spans",
                column: "received_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "otlp_held_spans");

            migrationBuilder.DropIndex(
                name: "ix_agent_executions_agent_name_trace_id",
                table: "agent_executions");

            migrationBuilder.DropColumn(
                name: "parent_execution_id",
                table: "agent_executions_archive");

            migrationBuilder.DropColumn(
                name: "span_id",
                table: "agent_executions_archive");

            migrationBuilder.DropColumn(
                name: "trace_id",
                table: "agent_executions_archive");

            migrationBuilder.DropColumn(
                name: "parent_execution_id",
                table: "agent_executions");

            migrationBuilder.DropColumn(
                name: "span_id",
                table: "agent_executions");

            migrationBuilder.DropColumn(
                name: "trace_id",
                table: "agent_executions");
        }
    }
}
