using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentLedger.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Alerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "agent_health",
                columns: table => new
                {
                    agent_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    health = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    health_reason = table.Column<string>(type: "TEXT", nullable: false),
                    since = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_agent_health", x => x.agent_name);
                });

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    previous_health = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    health = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    health_reason = table.Column<string>(type: "TEXT", nullable: false),
                    raised_at = table.Column<long>(type: "INTEGER", nullable: false),
                    node = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    delivery_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    webhook_url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    delivered_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_response_status = table.Column<int>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => x.seq);
                });

            migrationBuilder.CreateTable(
                name: "ledger_leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    holder = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_leases", x => x.name);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_agent_name_raised_at_seq",
                table: "alerts",
                columns: new[] { "agent_name", "raised_at", "seq" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_delivery_status_next_attempt_at",
                table: "alerts",
                columns: new[] { "delivery_status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_id",
                table: "alerts",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_alerts_raised_at_seq",
                table: "alerts",
                columns: new[] { "raised_at", "seq" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agent_health");

            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropTable(
                name: "ledger_leases");
        }
    }
}
