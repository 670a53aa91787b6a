-- Converge attributes
COMMENT ON ROLE svc_orders IS 'order service';

-- Memberships
GRANT app_write TO analyst;

-- Revoke privileges
REVOKE SELECT (status) ON TABLE shop_app.customers FROM app_write;

-- Drop principals
DO $rolec$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'bi_user') THEN
    REASSIGN OWNED BY bi_user TO CURRENT_USER;
    DROP OWNED BY bi_user;
    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
               JOIN pg_catalog.pg_roles r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
               JOIN pg_catalog.pg_database db ON db.oid = d.dbid
               WHERE r.rolname = 'bi_user' AND db.datname <> current_database()) THEN
      RAISE NOTICE 'role % still owns or holds objects in other databases: run this script there too; it is dropped there', 'bi_user';
    ELSE
      DROP ROLE bi_user;
    END IF;
  END IF;
END
$rolec$;
DO $rolec$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'auditor') THEN
    REASSIGN OWNED BY auditor TO CURRENT_USER;
    DROP OWNED BY auditor;
    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
               JOIN pg_catalog.pg_roles r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
               JOIN pg_catalog.pg_database db ON db.oid = d.dbid
               WHERE r.rolname = 'auditor' AND db.datname <> current_database()) THEN
      RAISE NOTICE 'role % still owns or holds objects in other databases: run this script there too; it is dropped there', 'auditor';
    ELSE
      DROP ROLE auditor;
    END IF;
  END IF;
END
$rolec$;
