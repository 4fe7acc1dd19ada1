using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentLedger.Commons.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class InitialCommons : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "commons_categories",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    parent_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: true),
                    perishable = table.Column<bool>(type: "boolean", nullable: false),
                    demo = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commons_categories", x => x.id);
                    table.ForeignKey(
                        name: "fk_commons_categories_commons_categories_parent_id",
                        column: x => x.parent_id,
                        principalTable: "commons_categories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "commons_locations",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    area = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    latitude = table.Column<double>(type: "double precision", nullable: true),
                    longitude = table.Column<double>(type: "double precision", nullable: true),
                    demo = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commons_locations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "commons_inventory_items",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    location_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    category_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    quantity = table.Column<double>(type: "double precision", nullable: false),
                    unit = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    threshold = table.Column<double>(type: "double precision", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    demo = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commons_inventory_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_commons_inventory_items_commons_categories_category_id",
                        column: x => x.category_id,
                        principalTable: "commons_categories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_commons_inventory_items_commons_locations_location_id",
                        column: x => x.location_id,
                        principalTable: "commons_locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "commons_members",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    location_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    skills = table.Column<List<string>>(type: "text[]", nullable: false),
                    joined_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    demo = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commons_members", x => x.id);
                    table.ForeignKey(
                        name: "fk_commons_members_commons_locations_location_id",
                        column: x => x.location_id,
                        principalTable: "commons_locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "commons_plans",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    location_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    required_skills = table.Column<List<string>>(type: "text[]", nullable: false),
                    min_people = table.Column<int>(type: "integer", nullable: false),
                    duration_hours = table.Column<double>(type: "double precision", nullable: false),
                    window_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    window_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    needs_work_party = table.Column<bool>(type: "boolean", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    demo = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commons_plans", x => x.id);
                    table.ForeignKey(
                        name: "fk_commons_plans_commons_locations_location_id",
                        column: x => x.location_id,
                        principalTable: "commons_locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "commons_usage_events",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    item_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    quantity = table.Column<double>(type: "double precision", nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    demo = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commons_usage_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_commons_usage_events_commons_inventory_items_item_id",
                        column: x => x.item_id,
                        principalTable: "commons_inventory_items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "commons_listings",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    member_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    category_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    quantity = table.Column<double>(type: "double precision", nullable: false),
                    unit = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    location_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    available_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    available_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    demo = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commons_listings", x => x.id);
                    table.ForeignKey(
                        name: "fk_commons_listings_commons_categories_category_id",
                        column: x => x.category_id,
                        principalTable: "commons_categories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_commons_listings_commons_locations_location_id",
                        column: x => x.location_id,
                        principalTable: "commons_locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_commons_listings_commons_members_member_id",
                        column: x => x.member_id,
                        principalTable: "commons_members",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "commons_commitments",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    plan_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    member_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    available_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    available_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    demo = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commons_commitments", x => x.id);
                    table.ForeignKey(
                        name: "fk_commons_commitments_commons_members_member_id",
                        column: x => x.member_id,
                        principalTable: "commons_members",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_commons_commitments_commons_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "commons_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_commons_categories_parent_id",
                table: "commons_categories",
                column: "parent_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_commitments_member_id",
                table: "commons_commitments",
                column: "member_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_commitments_plan_id",
                table: "commons_commitments",
                column: "plan_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_inventory_items_category_id",
                table: "commons_inventory_items",
                column: "category_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_inventory_items_location_id",
                table: "commons_inventory_items",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_listings_category_id",
                table: "commons_listings",
                column: "category_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_listings_created_at_id",
                table: "commons_listings",
                columns: new[] { "created_at", "id" },
                descending: new bool[0]);

            migrationBuilder.CreateIndex(
                name: "ix_commons_listings_location_id",
                table: "commons_listings",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_listings_member_id",
                table: "commons_listings",
                column: "member_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_listings_status_kind_category_id",
                table: "commons_listings",
                columns: new[] { "status", "kind", "category_id" });

            migrationBuilder.CreateIndex(
                name: "ix_commons_members_location_id",
                table: "commons_members",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_plans_location_id",
                table: "commons_plans",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ix_commons_plans_status_window_start",
                table: "commons_plans",
                columns: new[] { "status", "window_start" });

            migrationBuilder.CreateIndex(
                name: "ix_commons_usage_events_item_id_occurred_at",
                table: "commons_usage_events",
                columns: new[] { "item_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_commons_usage_events_occurred_at",
                table: "commons_usage_events",
                column: "occurred_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "commons_commitments");

            migrationBuilder.DropTable(
                name: "commons_listings");

            migrationBuilder.DropTable(
                name: "commons_usage_events");

            migrationBuilder.DropTable(
                name: "commons_plans");

            migrationBuilder.DropTable(
                name: "commons_members");

            migrationBuilder.DropTable(
                name: "commons_inventory_items");

            migrationBuilder.DropTable(
                name: "commons_categories");

            migrationBuilder.DropTable(
                name: "commons_locations");
        }
    }
}
