using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentLedger.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ExecutionIdsAsBytes : Migration
    {
        private static readonly (string Table, string Column)[] Columns =
        [
            ("agent_executions", "id"), ("agent_executions", "parent_execution_id"),
            ("agent_executions_archive", "id"), ("agent_executions_archive", "parent_execution_id"),
            ("proposals", "id"), ("proposals", "execution_id"), ("alerts", "id"),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<byte[]>(
                name: "id",
                table: "proposals",
                type: "BLOB",
                nullable: false,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<byte[]>(
                name: "execution_id",
                table: "proposals",
                type: "BLOB",
                nullable: false,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<byte[]>(
                name: "id",
                table: "alerts",
                type: "BLOB",
                nullable: false,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<byte[]>(
                name: "parent_execution_id",
                table: "agent_executions_archive",
                type: "BLOB",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<byte[]>(
                name: "id",
                table: "agent_executions_archive",
                type: "BLOB",
                nullable: false,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<byte[]>(
                name: "parent_execution_id",
                table: "agent_executions",
                type: "BLOB",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<byte[]>(
                name: "id",
                table: "agent_executions",
                type: "BLOB",
                nullable: false,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            // The rebuilt tables hold the old text; each uuid becomes its 16 bytes (the text without dashes, as hex).
            foreach (var (table, column) in Columns)
            {
                migrationBuilder.Sql($"UPDATE {table} SET {column} = unhex(replace({column}, '-', '')) WHERE typeof({column}) = 'text';");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<Guid>(
                name: "id",
                table: "proposals",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(byte[]),
                oldType: "BLOB");

            migrationBuilder.AlterColumn<Guid>(
                name: "execution_id",
                table: "proposals",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(byte[]),
                oldType: "BLOB");

            migrationBuilder.AlterColumn<Guid>(
                name: "id",
                table: "alerts",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(byte[]),
                oldType: "BLOB");

            migrationBuilder.AlterColumn<Guid>(
                name: "parent_execution_id",
                table: "agent_executions_archive",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "BLOB",
                oldNullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "id",
                table: "agent_executions_archive",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(byte[]),
                oldType: "BLOB");

            migrationBuilder.AlterColumn<Guid>(
                name: "parent_execution_id",
                table: "agent_executions",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "BLOB",
                oldNullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "id",
                table: "agent_executions",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(byte[]),
                oldType: "BLOB");

            foreach (var (table, column) in Columns)
            {
                migrationBuilder.Sql(
                    $"UPDATE {table} SET {column} = substr(hex({column}), 1, 8) || '-' || substr(hex({column}), 9, 4) || '-' || substr(hex({column}), 13, 4) || '-' || " +
                    $"substr(hex({column}), 17, 4) || '-' || substr(hex({column}), 21) WHERE typeof({column}) = 'blob';");
            }
        }
    }
}
