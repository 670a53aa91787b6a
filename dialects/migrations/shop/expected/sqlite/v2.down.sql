-- Principal attributes
INSERT INTO "rolec_principal" ("name", "kind", "external", "login", "inherit", "valid_until", "comment") VALUES
  ('svc_orders', 'user', 0, 1, 1, 'infinity', 'order service')
ON CONFLICT ("name") DO UPDATE SET "kind" = "excluded"."kind", "external" = "excluded"."external", "login" = "excluded"."login", "inherit" = "excluded"."inherit", "valid_until" = "excluded"."valid_until", "comment" = "excluded"."comment";

-- Memberships
INSERT INTO "rolec_membership" ("role", "member", "admin") VALUES
  ('app_write', 'analyst', 0)
ON CONFLICT ("role", "member") DO UPDATE SET "admin" = "excluded"."admin";

-- Privileges revoked
DELETE FROM "rolec_grant" WHERE ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name") IN (VALUES
  ('app_write', 'SELECT', 'table', 'shop_app', 'customers', 'status'),
  ('auditor', 'SELECT', 'table', 'shop_app', 'orders', ''));

-- Memberships revoked
DELETE FROM "rolec_membership" WHERE ("role", "member") IN (VALUES
  ('auditor', 'bi_user'));

-- Principals dropped (with their memberships and grants)
DELETE FROM "rolec_grant" WHERE "grantee" IN (
  'auditor',
  'bi_user');
DELETE FROM "rolec_membership" WHERE "member" IN (
  'auditor',
  'bi_user');
DELETE FROM "rolec_membership" WHERE "role" IN (
  'auditor',
  'bi_user');
DELETE FROM "rolec_principal" WHERE "name" IN (
  'auditor',
  'bi_user');
