-- Converge attributes
COMMENT ON ROLE app_read IS 'read-only access to the shop, reviewed 2026-11';

-- Memberships
GRANT app_read TO bi_user;

-- Revoke privileges
REVOKE GRANT OPTION FOR SELECT ON TABLE shop_app.orders FROM auditor;

-- Drop principals
DO $rolec$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'analyst') THEN
    REASSIGN OWNED BY analyst TO CURRENT_USER;
    DROP OWNED BY analyst;
    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
               JOIN pg_catalog.pg_roles r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
               JOIN pg_catalog.pg_database db ON db.oid = d.dbid
               WHERE r.rolname = 'analyst' AND db.datname <> current_database()) THEN
      RAISE NOTICE 'role % still owns or holds objects in other databases: run this script there too; it is dropped there', 'analyst';
    ELSE
      DROP ROLE analyst;
    END IF;
  END IF;
END
$rolec$;
