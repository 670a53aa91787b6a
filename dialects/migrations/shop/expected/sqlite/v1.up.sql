-- Catalog (rolec's own tables: the RolecSQLite authorizer enforces them; no principal may write them)
CREATE TABLE IF NOT EXISTS "rolec_principal" (
  "name" TEXT NOT NULL PRIMARY KEY,
  "kind" TEXT NOT NULL CHECK ("kind" IN ('role', 'user')),
  "external" INTEGER NOT NULL CHECK ("external" IN (0, 1)),
  "login" INTEGER CHECK ("login" IN (0, 1)),
  "inherit" INTEGER CHECK ("inherit" IN (0, 1)),
  "valid_until" TEXT,
  "comment" TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS "rolec_membership" (
  "role" TEXT NOT NULL,
  "member" TEXT NOT NULL,
  "admin" INTEGER NOT NULL CHECK ("admin" IN (0, 1)),
  PRIMARY KEY ("role", "member")
) STRICT;
CREATE TABLE IF NOT EXISTS "rolec_grant" (
  "grantee" TEXT NOT NULL,
  "privilege" TEXT NOT NULL,
  "object_kind" TEXT NOT NULL CHECK ("object_kind" IN ('database', 'schema', 'table', 'view', 'all tables')),
  "schema_name" TEXT NOT NULL,
  "object_name" TEXT NOT NULL,
  "column_name" TEXT NOT NULL,
  "grantable" INTEGER NOT NULL CHECK ("grantable" IN (0, 1)),
  PRIMARY KEY ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name")
) STRICT;
DROP VIEW IF EXISTS "rolec_effective_grant";
CREATE VIEW "rolec_effective_grant" AS
WITH RECURSIVE "holds" ("principal", "role") AS (
  SELECT "name", "name" FROM "rolec_principal"
  UNION
  SELECT "h"."principal", "m"."role"
  FROM "holds" AS "h"
  JOIN "rolec_principal" AS "p" ON "p"."name" = "h"."role" AND coalesce("p"."inherit", 1) = 1
  JOIN "rolec_membership" AS "m" ON "m"."member" = "h"."role"
),
"reach" ("principal", "grantee") AS (
  SELECT "principal", "role" FROM "holds"
  UNION
  SELECT "name", 'public' FROM "rolec_principal"
)
SELECT "r"."principal" AS "principal", "g"."privilege" AS "privilege", "g"."object_kind" AS "object_kind",
       nullif("g"."schema_name", '') AS "schema_name", nullif("g"."object_name", '') AS "object_name",
       nullif("g"."column_name", '') AS "column_name", "g"."grantable" AS "grantable", "g"."grantee" AS "granted_to"
FROM "reach" AS "r"
JOIN "rolec_grant" AS "g" ON "g"."grantee" = "r"."grantee";

-- Principals
-- note: hosts of svc_orders apply to MySQL/MariaDB accounts only
-- note: password of svc_orders: SQLite has no authentication (the application says which principal a connection acts as); the verifier is not stored
INSERT INTO "rolec_principal" ("name", "kind", "external", "login", "inherit", "valid_until", "comment") VALUES
  ('analyst', 'user', 0, 1, 1, 'infinity', ''),
  ('app_owner', 'role', 1, NULL, NULL, NULL, NULL),
  ('app_read', 'role', 0, 0, 1, 'infinity', 'read-only access to the shop'),
  ('app_write', 'role', 0, 0, 1, 'infinity', ''),
  ('svc_orders', 'user', 0, 1, 1, 'infinity', 'order service')
ON CONFLICT ("name") DO UPDATE SET "kind" = "excluded"."kind", "external" = "excluded"."external", "login" = "excluded"."login", "inherit" = "excluded"."inherit", "valid_until" = "excluded"."valid_until", "comment" = "excluded"."comment";

-- Memberships
INSERT INTO "rolec_membership" ("role", "member", "admin") VALUES
  ('app_read', 'analyst', 0),
  ('app_read', 'app_write', 0),
  ('app_write', 'analyst', 0),
  ('app_write', 'svc_orders', 0)
ON CONFLICT ("role", "member") DO UPDATE SET "admin" = "excluded"."admin";

-- Owners
-- note: schema shop_app owned by app_owner: SQLite has no owners; creating, altering and dropping objects of a schema is its CREATE privilege

-- Privileges
INSERT INTO "rolec_grant" ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name", "grantable") VALUES
  ('app_read', 'SELECT', 'all tables', 'shop_app', '', '', 0),
  ('app_write', 'DELETE', 'table', 'shop_app', 'order_items', '', 0),
  ('app_write', 'DELETE', 'table', 'shop_app', 'orders', '', 0),
  ('app_write', 'INSERT', 'table', 'shop_app', 'order_items', '', 0),
  ('app_write', 'INSERT', 'table', 'shop_app', 'orders', '', 0),
  ('app_write', 'SELECT', 'table', 'shop_app', 'customers', 'email', 0),
  ('app_write', 'SELECT', 'table', 'shop_app', 'customers', 'id', 0),
  ('app_write', 'UPDATE', 'table', 'shop_app', 'order_items', '', 0),
  ('app_write', 'UPDATE', 'table', 'shop_app', 'orders', '', 0)
ON CONFLICT ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name") DO UPDATE SET "grantable" = "excluded"."grantable";
