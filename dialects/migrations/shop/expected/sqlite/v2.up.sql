-- Principals
INSERT INTO "rolec_principal" ("name", "kind", "external", "login", "inherit", "valid_until", "comment") VALUES
  ('auditor', 'role', 0, 0, 1, 'infinity', 'reads orders for audits'),
  ('bi_user', 'user', 0, 1, 1, 'infinity', '')
ON CONFLICT ("name") DO UPDATE SET "kind" = "excluded"."kind", "external" = "excluded"."external", "login" = "excluded"."login", "inherit" = "excluded"."inherit", "valid_until" = "excluded"."valid_until", "comment" = "excluded"."comment";

-- Principal attributes
INSERT INTO "rolec_principal" ("name", "kind", "external", "login", "inherit", "valid_until", "comment") VALUES
  ('svc_orders', 'user', 0, 1, 1, 'infinity', 'order service: orders and items')
ON CONFLICT ("name") DO UPDATE SET "kind" = "excluded"."kind", "external" = "excluded"."external", "login" = "excluded"."login", "inherit" = "excluded"."inherit", "valid_until" = "excluded"."valid_until", "comment" = "excluded"."comment";

-- Memberships
INSERT INTO "rolec_membership" ("role", "member", "admin") VALUES
  ('auditor', 'bi_user', 0)
ON CONFLICT ("role", "member") DO UPDATE SET "admin" = "excluded"."admin";

-- Privileges
-- note: grant and admin options are recorded in the catalog; SQLite has no GRANT statement, so they allow nothing more
INSERT INTO "rolec_grant" ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name", "grantable") VALUES
  ('app_write', 'SELECT', 'table', 'shop_app', 'customers', 'status', 0),
  ('auditor', 'SELECT', 'table', 'shop_app', 'orders', '', 1)
ON CONFLICT ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name") DO UPDATE SET "grantable" = "excluded"."grantable";

-- Memberships revoked
DELETE FROM "rolec_membership" WHERE ("role", "member") IN (VALUES
  ('app_write', 'analyst'));
