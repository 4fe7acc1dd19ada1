using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentLedger.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class InitialLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "agent_executions",
                columns: table => new
                {
                    seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    scheduled_for = table.Column<long>(type: "INTEGER", nullable: true),
                    node = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    duration_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    error_type = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    error_message = table.Column<string>(type: "TEXT", nullable: true),
                    proposals_created = table.Column<int>(type: "INTEGER", nullable: false),
                    resources_processed = table.Column<long>(type: "INTEGER", nullable: false),
                    metrics = table.Column<string>(type: "TEXT", nullable: true),
                    metadata = table.Column<string>(type: "TEXT", nullable: true),
                    cpu_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    allocated_bytes = table.Column<long>(type: "INTEGER", nullable: true),
                    heartbeat_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_agent_executions", x => x.seq);
                });

            migrationBuilder.CreateTable(
                name: "agent_executions_archive",
                columns: table => new
                {
                    seq = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    archived_at = table.Column<long>(type: "INTEGER", nullable: false),
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    scheduled_for = table.Column<long>(type: "INTEGER", nullable: true),
                    node = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    duration_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    error_type = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    error_message = table.Column<string>(type: "TEXT", nullable: true),
                    proposals_created = table.Column<int>(type: "INTEGER", nullable: false),
                    resources_processed = table.Column<long>(type: "INTEGER", nullable: false),
                    metrics = table.Column<string>(type: "TEXT", nullable: true),
                    metadata = table.Column<string>(type: "TEXT", nullable: true),
                    cpu_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    allocated_bytes = table.Column<long>(type: "INTEGER", nullable: true),
                    heartbeat_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_agent_executions_archive", x => new { x.started_at, x.seq });
                });

            migrationBuilder.CreateTable(
                name: "agent_rollups",
                columns: table => new
                {
                    agent_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    period = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    bucket_start = table.Column<long>(type: "INTEGER", nullable: false),
                    success_count = table.Column<long>(type: "INTEGER", nullable: false),
                    failed_count = table.Column<long>(type: "INTEGER", nullable: false),
                    timeout_count = table.Column<long>(type: "INTEGER", nullable: false),
                    cancelled_count = table.Column<long>(type: "INTEGER", nullable: false),
                    abandoned_count = table.Column<long>(type: "INTEGER", nullable: false),
                    proposals_created = table.Column<long>(type: "INTEGER", nullable: false),
                    resources_processed = table.Column<long>(type: "INTEGER", nullable: false),
                    duration_count = table.Column<long>(type: "INTEGER", nullable: false),
                    duration_sum_ms = table.Column<double>(type: "REAL", nullable: false),
                    duration_max_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    duration_histogram = table.Column<byte[]>(type: "BLOB", nullable: false),
                    metric_sums = table.Column<string>(type: "TEXT", nullable: true),
                    proposals_recorded = table.Column<long>(type: "INTEGER", nullable: false),
                    proposals_approved = table.Column<long>(type: "INTEGER", nullable: false),
                    proposals_rejected = table.Column<long>(type: "INTEGER", nullable: false),
                    proposals_expired = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_agent_rollups", x => new { x.period, x.bucket_start, x.agent_name });
                });

            migrationBuilder.CreateTable(
                name: "agent_settings",
                columns: table => new
                {
                    agent_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    interval_seconds = table.Column<int>(type: "INTEGER", nullable: true),
                    timeout_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    config = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: false),
                    enabled_since = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_agent_settings", x => x.agent_name);
                });

            migrationBuilder.CreateTable(
                name: "agent_settings_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    agent_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    interval_seconds = table.Column<int>(type: "INTEGER", nullable: true),
                    timeout_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    config = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: false),
                    replaced_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_agent_settings_history", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "agents",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    display_name = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    first_seen_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_agents", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "ledger_meta",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_meta", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "proposals",
                columns: table => new
                {
                    seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    execution_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    type = table.Column<string>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", nullable: false),
                    explanation = table.Column<string>(type: "TEXT", nullable: true),
                    inputs_used = table.Column<string>(type: "TEXT", nullable: false),
                    data = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    decided_at = table.Column<long>(type: "INTEGER", nullable: true),
                    decided_by = table.Column<string>(type: "TEXT", nullable: true),
                    decision_reason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_proposals", x => x.seq);
                });

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_agent_name_scheduled_for",
                table: "agent_executions",
                columns: new[] { "agent_name", "scheduled_for" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_agent_name_started_at",
                table: "agent_executions",
                columns: new[] { "agent_name", "started_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_agent_name_status_started_at",
                table: "agent_executions",
                columns: new[] { "agent_name", "status", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_id",
                table: "agent_executions",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_archive_agent_name_started_at",
                table: "agent_executions_archive",
                columns: new[] { "agent_name", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_archive_agent_name_status_started_at",
                table: "agent_executions_archive",
                columns: new[] { "agent_name", "status", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_archive_id",
                table: "agent_executions_archive",
                column: "id");

            migrationBuilder.CreateIndex(
                name: "ix_agent_rollups_agent_name_period_bucket_start",
                table: "agent_rollups",
                columns: new[] { "agent_name", "period", "bucket_start" });

            migrationBuilder.CreateIndex(
                name: "ix_agent_settings_history_agent_name_version",
                table: "agent_settings_history",
                columns: new[] { "agent_name", "version" });

            migrationBuilder.CreateIndex(
                name: "ix_proposals_agent_name_created_at",
                table: "proposals",
                columns: new[] { "agent_name", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_proposals_agent_name_status",
                table: "proposals",
                columns: new[] { "agent_name", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_proposals_execution_id",
                table: "proposals",
                column: "execution_id");

            migrationBuilder.CreateIndex(
                name: "ix_proposals_id",
                table: "proposals",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_proposals_status_created_at",
                table: "proposals",
                columns: new[] { "status", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agent_executions");

            migrationBuilder.DropTable(
                name: "agent_executions_archive");

            migrationBuilder.DropTable(
                name: "agent_rollups");

            migrationBuilder.DropTable(
                name: "agent_settings");

            migrationBuilder.DropTable(
                name: "agent_settings_history");

            migrationBuilder.DropTable(
                name: "agents");

            migrationBuilder.DropTable(
                name: "ledger_meta");

            migrationBuilder.DropTable(
                name: "proposals");
        }
    }
}
