-- Privileges revoked
DELETE FROM "rolec_grant" WHERE ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name") IN (VALUES
  ('app_read', 'SELECT', 'all tables', 'shop_app', '', ''),
  ('app_write', 'DELETE', 'table', 'shop_app', 'order_items', ''),
  ('app_write', 'DELETE', 'table', 'shop_app', 'orders', ''),
  ('app_write', 'INSERT', 'table', 'shop_app', 'order_items', ''),
  ('app_write', 'INSERT', 'table', 'shop_app', 'orders', ''),
  ('app_write', 'SELECT', 'table', 'shop_app', 'customers', 'email'),
  ('app_write', 'SELECT', 'table', 'shop_app', 'customers', 'id'),
  ('app_write', 'UPDATE', 'table', 'shop_app', 'order_items', ''),
  ('app_write', 'UPDATE', 'table', 'shop_app', 'orders', ''));

-- Memberships revoked
DELETE FROM "rolec_membership" WHERE ("role", "member") IN (VALUES
  ('app_read', 'analyst'),
  ('app_read', 'app_write'),
  ('app_write', 'analyst'),
  ('app_write', 'svc_orders'));

-- Principals dropped (with their memberships and grants)
DELETE FROM "rolec_grant" WHERE "grantee" IN (
  'analyst',
  'app_owner',
  'app_read',
  'app_write',
  'svc_orders');
DELETE FROM "rolec_membership" WHERE "member" IN (
  'analyst',
  'app_owner',
  'app_read',
  'app_write',
  'svc_orders');
DELETE FROM "rolec_membership" WHERE "role" IN (
  'analyst',
  'app_owner',
  'app_read',
  'app_write',
  'svc_orders');
DELETE FROM "rolec_principal" WHERE "name" IN (
  'analyst',
  'app_owner',
  'app_read',
  'app_write',
  'svc_orders');
