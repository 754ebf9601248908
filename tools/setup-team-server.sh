#!/usr/bin/env bash
# The server part of "Team on a LAN" (README) on Debian/Ubuntu, run as root on the server PC.
# Idempotent: every step looks first and says "already:" when there is nothing to do, "done:"
# when it changed something, "would:" under --dry-run (which changes nothing at all).
#
#   printf '%s\n%s\n%s\n' "$DB_PASSWORD" "$ADMIN_PASSWORD" "$LOGIN_PASSWORD" | sudo tools/setup-team-server.sh \
#       --lan 192.168.1.0/24 --company "厦门星辰科技有限公司" --admin-name 管理员 \
#       --admin-mobile 13800000000 --crm-admin /opt/crm-desktop/bin/crm-admin --password-stdin
#
# Steps: install PostgreSQL · the schema-owner login role <db>_owner (the role the PCs log in
# with, password kept only in a root-only pgpass file for the backups) · the database · the
# schema and the company (crm-admin init / migrate) · crm-admin server-setup (roles, grants,
# row-level security) · listen_addresses · a pg_hba.conf line for the LAN · reload/restart ·
# ufw · the nightly `crm-admin backup` in /etc/cron.d.
#
# Passwords never go on a command line (any local user can read those): they come from the
# first two lines of standard input (--password-stdin), from CRM_DB_PASSWORD /
# CRM_ADMIN_PASSWORD, or from a prompt; they reach psql and crm-admin through pipes and a
# pgpass file of mode 0600. tests/test_setup_team_server_script.py runs it against a real server.
set -euo pipefail

PROG=setup-team-server
DB=crm
HOST=""            # empty: this PC; the superuser through the local socket as the OS user postgres
PORT=5432
SUPERUSER=postgres
LAN=""
LISTEN="*"
COMPANY="" ADMIN_NAME="" ADMIN_MOBILE=""
CRM_ADMIN=""
PG_CONF_DIR=""
CRON_DIR=/etc/cron.d
PGPASS_FILE=""     # default /etc/crm-desktop/<db>.pgpass
BACKUP_DIR=""      # default /var/backups/crm-desktop/<db>
BACKUP_TIME=23:30
KEEP_DAYS=30
PASSWORD_STDIN=0 DRY_RUN=0 NO_RESTART=0 SKIP_INSTALL=0 NO_FIREWALL=0 RESET_PASSWORD=0 REDO_SETUP=0

usage() {
  cat <<'EOF'
Usage: setup-team-server.sh --lan CIDR [options]

Sets up this PC as the CRM Desktop team server (Debian/Ubuntu, as root). Safe to run again:
each step says what it did, or that it was already done.

Required:
  --lan CIDR              the office network allowed to connect, e.g. 192.168.1.0/24
The company (needed only while the database has none):
  --company NAME  --admin-name NAME  --admin-mobile NUMBER
Passwords (never on the command line):
  --password-stdin        line 1 of standard input: the database role's password;
                          line 2: the super administrator's (only needed to set up the company);
                          line 3: the directory role NAME_login's (each PC's server entry)
  (or CRM_DB_PASSWORD / CRM_ADMIN_PASSWORD / CRM_LOGIN_PASSWORD in the environment, else a prompt; on a re-run the
  database password may also come from the pgpass file written by the first run)
  --reset-password        give the existing database role the password given
Options:
  --database NAME         database name (default crm); roles are NAME_owner, NAME_users, NAME_u_<id>
  --host HOST --port N    the PostgreSQL server (default: this PC's local socket, port 5432);
                          with --host the superuser connects over TCP (trust or ~/.pgpass)
  --superuser NAME        superuser to connect as with --host (default postgres)
  --crm-admin PATH        the crm-admin program (default: crm-admin on PATH)
  --listen ADDRESSES      listen_addresses to set (default '*'; pg_hba.conf and the firewall
                          limit who may connect)
  --pg-conf-dir DIR       folder of postgresql.conf and pg_hba.conf (default: from pg_lsclusters,
                          else the server's config_file)
  --cron-dir DIR          where the backup entry goes (default /etc/cron.d)
  --backup-dir DIR        where the nightly backups go (default /var/backups/crm-desktop/NAME)
  --backup-time HH:MM     when (default 23:30)
  --keep-days N           delete backups older than N days (default 30; 0 keeps them all)
  --pgpass-file FILE      the database password for the backups (default /etc/crm-desktop/NAME.pgpass)
  --skip-install          do not look for or install the postgresql package
  --no-restart            do not reload or restart PostgreSQL (say what needs it instead)
  --no-firewall           leave the firewall alone
  --redo-server-setup     run crm-admin server-setup even when it looks done
  --dry-run               print the steps; change nothing
  -h, --help
EOF
}

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 2; }
step() { printf '\n[%s] %s\n' "$1" "$2"; }
did() { printf '  done: %s\n' "$*"; }
already() { printf '  already: %s\n' "$*"; }
would() { printf '  would: %s\n' "$*"; }
skipped() { printf '  skipped: %s\n' "$*"; }
note() { printf '  note: %s\n' "$*"; }

# --- options -------------------------------------------------------------------------------

need_value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --lan) need_value "$@"; LAN=$2; shift 2 ;;
    --company) need_value "$@"; COMPANY=$2; shift 2 ;;
    --admin-name) need_value "$@"; ADMIN_NAME=$2; shift 2 ;;
    --admin-mobile) need_value "$@"; ADMIN_MOBILE=$2; shift 2 ;;
    --database) need_value "$@"; DB=$2; shift 2 ;;
    --host) need_value "$@"; HOST=$2; shift 2 ;;
    --port) need_value "$@"; PORT=$2; shift 2 ;;
    --superuser) need_value "$@"; SUPERUSER=$2; shift 2 ;;
    --crm-admin) need_value "$@"; CRM_ADMIN=$2; shift 2 ;;
    --listen) need_value "$@"; LISTEN=$2; shift 2 ;;
    --pg-conf-dir) need_value "$@"; PG_CONF_DIR=$2; shift 2 ;;
    --cron-dir) need_value "$@"; CRON_DIR=$2; shift 2 ;;
    --backup-dir) need_value "$@"; BACKUP_DIR=$2; shift 2 ;;
    --backup-time) need_value "$@"; BACKUP_TIME=$2; shift 2 ;;
    --keep-days) need_value "$@"; KEEP_DAYS=$2; shift 2 ;;
    --pgpass-file) need_value "$@"; PGPASS_FILE=$2; shift 2 ;;
    --password-stdin) PASSWORD_STDIN=1; shift ;;
    --password|--password=*) die "no passwords on the command line (any user can read it): use --password-stdin" ;;
    --reset-password) RESET_PASSWORD=1; shift ;;
    --skip-install) SKIP_INSTALL=1; shift ;;
    --no-restart) NO_RESTART=1; shift ;;
    --no-firewall) NO_FIREWALL=1; shift ;;
    --redo-server-setup) REDO_SETUP=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

# Names go into SQL, file names and the cron line unquoted: allow only what needs no quoting.
[[ $DB =~ ^[a-z_][a-z0-9_]{0,29}$ ]] || die "--database: lower-case letters, digits and _ only (at most 30), got '$DB'"
[[ -n $LAN ]] || die "--lan CIDR is required, e.g. --lan 192.168.1.0/24"
[[ $LAN =~ ^[0-9a-fA-F:.]+/[0-9]{1,3}$ ]] || die "--lan: a network like 192.168.1.0/24, got '$LAN'"
[[ $PORT =~ ^[0-9]{1,5}$ ]] || die "--port: a number, got '$PORT'"
[[ $SUPERUSER =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "--superuser: a plain role name, got '$SUPERUSER'"
[[ $LISTEN =~ ^[A-Za-z0-9_.:,*\ -]+$ ]] || die "--listen: host names or addresses separated by commas, got '$LISTEN'"
[[ $BACKUP_TIME =~ ^([01]?[0-9]|2[0-3]):([0-5][0-9])$ ]] || die "--backup-time: HH:MM, got '$BACKUP_TIME'"
CRON_HOUR=$((10#${BASH_REMATCH[1]})) CRON_MINUTE=$((10#${BASH_REMATCH[2]}))
[[ $KEEP_DAYS =~ ^[0-9]+$ ]] || die "--keep-days: a number of days, got '$KEEP_DAYS'"
if [[ -n $COMPANY$ADMIN_NAME$ADMIN_MOBILE && ( -z $COMPANY || -z $ADMIN_NAME || -z $ADMIN_MOBILE ) ]]; then
  die "give --company, --admin-name and --admin-mobile together"
fi
[[ -z $ADMIN_MOBILE || $ADMIN_MOBILE =~ ^[0-9+-]+$ ]] || die "--admin-mobile: digits, got '$ADMIN_MOBILE'"

OWNER=${DB}_owner                                   # crm-admin server-setup's default prefix: "<db>_"
GROUP=${DB}_users
PGPASS_FILE=${PGPASS_FILE:-/etc/crm-desktop/$DB.pgpass}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/crm-desktop/$DB}
OWNER_HOST=${HOST:-127.0.0.1}                       # the owner logs in with its password, over TCP
for path_var in PGPASS_FILE BACKUP_DIR CRON_DIR; do   # they go into the cron line: absolute, no blanks or %
  value=$(realpath -m -- "${!path_var}")
  option=${path_var,,}
  [[ $value =~ ^/[A-Za-z0-9_./+@-]*$ ]] || die "--${option//_/-}: letters, digits and ._/+@- only, got '$value'"
  printf -v "$path_var" '%s' "$value"
done
[[ -z $PG_CONF_DIR ]] || PG_CONF_DIR=$(realpath -m -- "$PG_CONF_DIR")
url_host() { [[ $1 == *:* ]] && printf '[%s]' "$1" || printf '%s' "$1"; }  # an IPv6 address in a URL
OWNER_URL="postgresql://$OWNER@$(url_host "$OWNER_HOST"):$PORT/$DB"

is_root() { [[ $(id -u) == 0 ]]; }
need_root() { is_root || die "$1 needs root: run the script with sudo"; }

# --- passwords -----------------------------------------------------------------------------

DB_PW="" ADMIN_PW="" DIR_PW=""
if (( PASSWORD_STDIN )); then  # read now: the programs run below must not eat standard input
  IFS= read -r DB_PW || true
  IFS= read -r ADMIN_PW || true
  IFS= read -r DIR_PW || true
  DB_PW=${DB_PW%$'\r'} ADMIN_PW=${ADMIN_PW%$'\r'} DIR_PW=${DIR_PW%$'\r'}
  exec </dev/null
fi
DB_PW=${DB_PW:-${CRM_DB_PASSWORD:-}}
ADMIN_PW=${ADMIN_PW:-${CRM_ADMIN_PASSWORD:-}}
DIR_PW=${DIR_PW:-${CRM_LOGIN_PASSWORD:-}}
unset CRM_DB_PASSWORD CRM_ADMIN_PASSWORD CRM_LOGIN_PASSWORD  # not handed on to every program below

pgpass_escape() { local s=${1//\\/\\\\}; printf '%s' "${s//:/\\:}"; }
sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

pgpass_line() { printf '*:%s:%s:%s:%s\n' "$PORT" "$DB" "$OWNER" "$(pgpass_escape "$1")"; }

# The password from the pgpass file a previous run wrote (a re-run needs no password typed).
kept_password() {
  [[ -r $PGPASS_FILE ]] || return 1
  local line prefix
  prefix="*:$PORT:$DB:$OWNER:"
  line=$(grep -F -- "$prefix" "$PGPASS_FILE" | head -n1) || return 1
  line=${line#"$prefix"}
  line=${line//\\:/:}
  printf '%s' "${line//\\\\/\\}"
}

ask() {  # ask PROMPT VAR: a password from the terminal, typed twice
  local first second
  ( exec </dev/tty ) 2>/dev/null || return 1  # no terminal (cron, CI, ssh without -t)
  IFS= read -rs -p "$1: " first </dev/tty || return 1; echo >/dev/tty
  IFS= read -rs -p "Repeat it: " second </dev/tty || return 1; echo >/dev/tty
  [[ $first == "$second" ]] || die "the two passwords differ"
  printf -v "$2" '%s' "$first"
}

db_password() {  # make sure DB_PW is set
  [[ -n $DB_PW ]] && return 0
  if DB_PW=$(kept_password) && [[ -n $DB_PW ]]; then
    note "using the database password kept in $PGPASS_FILE"
    return 0
  fi
  ask "Password for the database role $OWNER (every PC logs in with it)" DB_PW \
    || die "no database password: give it with --password-stdin (line 1) or CRM_DB_PASSWORD"
  [[ -n $DB_PW ]] || die "the database password is empty"
}

admin_password() {
  [[ -n $ADMIN_PW ]] && return 0
  ask "Password for the super administrator $ADMIN_NAME ($ADMIN_MOBILE)" ADMIN_PW \
    || die "no administrator password: give it with --password-stdin (line 2) or CRM_ADMIN_PASSWORD"
}

TMP_DIR=$(mktemp -d)
trap 'rm -rf "$TMP_DIR"' EXIT
TMP_PGPASS=$TMP_DIR/pgpass   # this run's own connections as the owner

write_tmp_pgpass() { (umask 077; pgpass_line "$DB_PW" >"$TMP_PGPASS"); }

# --- connections ---------------------------------------------------------------------------

# The superuser: over TCP with --host, else the local socket as the OS user postgres (peer).
as_postgres() {
  if [[ $(id -un) == postgres ]]; then "$@"; else (cd / && runuser -u postgres -- "$@"); fi
}
su_psql() {  # su_psql DBNAME [psql args]
  local dbname=$1; shift
  if [[ -n $HOST ]]; then
    psql -X -w -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$SUPERUSER" -d "$dbname" "$@"
  else
    as_postgres psql -X -w -q -v ON_ERROR_STOP=1 -p "$PORT" -d "$dbname" "$@"
  fi
}
su_query() { su_psql "$1" -At -c "$2"; }
# The owner's password from this run's pgpass file (a superuser's PGPASSWORD would take precedence).
owner_psql() { PGPASSFILE=$TMP_PGPASS env -u PGPASSWORD psql -X -w -q -v ON_ERROR_STOP=1 -h "$OWNER_HOST" -p "$PORT" -U "$OWNER" -d "$DB" "$@"; }

owner_crm_admin() { PGPASSFILE=$TMP_PGPASS CRM_DATABASE_URL=$OWNER_URL env -u PGPASSWORD "$CRM_ADMIN" "$@"; }
su_crm_admin() {
  if [[ -n $HOST ]]; then
    CRM_DATABASE_URL="postgresql://$SUPERUSER@$(url_host "$HOST"):$PORT/$DB" "$CRM_ADMIN" "$@"
  else
    as_postgres env CRM_DATABASE_URL="postgresql://postgres@/$DB?host=$SOCKET_DIR&port=$PORT" "$CRM_ADMIN" "$@"
  fi
}
indent() { sed 's/^/    /'; }

# =============================================================================================

printf 'CRM Desktop team server: database %s on port %s, LAN %s%s\n' "$DB" "$PORT" "$LAN" \
  "$( ((DRY_RUN)) && printf ' (dry run: nothing is changed)')"

# --- 1. PostgreSQL -------------------------------------------------------------------------
step 1 "PostgreSQL server"
if (( SKIP_INSTALL )); then
  skipped "--skip-install"
elif dpkg-query -W -f='${Status} ${Package}\n' 'postgresql-[0-9]*' 2>/dev/null | grep -q '^install ok installed'; then
  already "installed ($(psql --version 2>/dev/null || echo 'psql missing'))"
elif (( DRY_RUN )); then
  would "apt-get install postgresql"
else
  need_root "installing PostgreSQL"
  command -v apt-get >/dev/null || die "no apt-get: install PostgreSQL yourself, then run this with --skip-install"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  did "installed $(psql --version)"
fi
command -v psql >/dev/null || { (( DRY_RUN )) || die "psql not found: is PostgreSQL installed?"; }
if [[ -z $HOST ]] && ! is_root && [[ $(id -un) != postgres ]] && (( ! DRY_RUN )); then
  die "the local socket as the OS user postgres needs root: run with sudo, or give --host"
fi

SERVER_UP=0
if command -v psql >/dev/null && su_query postgres 'SELECT 1' >/dev/null 2>"$TMP_DIR/err"; then
  SERVER_UP=1
else
  (( DRY_RUN )) || die "cannot connect to PostgreSQL as $SUPERUSER: $(head -n1 "$TMP_DIR/err" 2>/dev/null)"
  note "PostgreSQL is not reachable yet: every step below is shown as it would be done"
fi
SOCKET_DIR=/var/run/postgresql
if (( SERVER_UP )) && [[ -z $HOST ]]; then
  SOCKET_DIR=$(su_query postgres 'SHOW unix_socket_directories' | cut -d, -f1 | sed 's/^ *//')
fi

# What is there already: the database, its schema, its company.
DB_OWNER="" HAS_SCHEMA=0 HAS_USERS=0
if (( SERVER_UP )); then
  DB_OWNER=$(su_query postgres "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$DB'")
fi
if [[ -n $DB_OWNER ]]; then
  HAS_SCHEMA=$(su_query "$DB" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'users'")
  if (( HAS_SCHEMA )); then HAS_USERS=$(su_query "$DB" 'SELECT (count(*) > 0)::int FROM users'); fi
fi
if (( ! HAS_USERS && ! DRY_RUN )) && [[ -z $COMPANY ]]; then  # before anything is created
  die "the database $DB has no company yet: give --company, --admin-name and --admin-mobile"
fi
if (( ! HAS_USERS && ! DRY_RUN )); then admin_password; fi  # asked now, not half-way through

# --- crm-admin -----------------------------------------------------------------------------
CRM_ADMIN=${CRM_ADMIN:-$(command -v crm-admin || true)}
if [[ -z $CRM_ADMIN ]]; then
  (( DRY_RUN )) || die "crm-admin not found: install CRM Desktop (python3 -m venv /opt/crm-desktop && /opt/crm-desktop/bin/pip install .) and give --crm-admin /opt/crm-desktop/bin/crm-admin"
  CRM_ADMIN=crm-admin
else
  CRM_ADMIN=$(realpath -- "$CRM_ADMIN")
  [[ -x $CRM_ADMIN ]] || die "--crm-admin $CRM_ADMIN is not an executable file"
  [[ $CRM_ADMIN =~ ^/[A-Za-z0-9_./+@-]*$ ]] || die "crm-admin's path goes into the cron line: no blanks or %, got '$CRM_ADMIN'"
  # Without --host, server-setup runs as the OS user postgres (the superuser's peer login).
  if [[ -z $HOST ]] && (( ! DRY_RUN )) && ! as_postgres "$CRM_ADMIN" --help >/dev/null 2>&1; then
    die "the OS user postgres cannot run $CRM_ADMIN (server-setup needs the superuser, which logs in as that user): install CRM Desktop where every user can run it, with a system Python, e.g. /usr/bin/python3 -m venv /opt/crm-desktop && /opt/crm-desktop/bin/pip install ."
  fi
fi

# --- 2. the owner role ---------------------------------------------------------------------
step 2 "Database role $OWNER (owns the schema; the PCs log in with it)"
OWNER_LOGIN=""
(( SERVER_UP )) && OWNER_LOGIN=$(su_query postgres "SELECT rolcanlogin FROM pg_roles WHERE rolname = '$OWNER'")
(( DRY_RUN )) || db_password
set_owner_password() {  # $1: CREATE or ALTER. log_statement off: the password must not reach the server log
  printf "SET log_statement = 'none'; SET log_min_duration_statement = -1;\n%s ROLE %s LOGIN PASSWORD %s;\n" \
    "$1" "$OWNER" "$(sql_literal "$DB_PW")" | su_psql postgres -f -
}
if [[ -z $OWNER_LOGIN ]]; then
  if (( DRY_RUN )); then would "create the login role $OWNER with the password given"
  else set_owner_password CREATE; did "created the login role $OWNER"; fi
elif [[ $OWNER_LOGIN == f || $RESET_PASSWORD == 1 ]]; then
  if (( DRY_RUN )); then would "let $OWNER log in with the password given"
  else set_owner_password ALTER; did "$OWNER logs in with the password given"; fi
else
  already "$OWNER exists and may log in (its password is not changed; --reset-password to set it)"
fi

# --- 3. the database -----------------------------------------------------------------------
step 3 "Database $DB"
if [[ -z $DB_OWNER ]]; then
  if (( DRY_RUN )); then would "create the database $DB (UTF8) owned by $OWNER"
  else
    su_query postgres "CREATE DATABASE $DB OWNER $OWNER ENCODING 'UTF8' TEMPLATE template0" >/dev/null
    did "created the database $DB owned by $OWNER"
  fi
elif [[ $DB_OWNER == "$OWNER" ]]; then
  already "$DB exists, owned by $OWNER"
else
  already "$DB exists, owned by $DB_OWNER (kept; server-setup gives $OWNER every table)"
fi
if (( ! DRY_RUN )); then
  write_tmp_pgpass
  owner_psql -c 'SELECT 1' >/dev/null 2>"$TMP_DIR/err" \
    || die "cannot log in as $OWNER at $OWNER_HOST:$PORT with the password given ($(head -n1 "$TMP_DIR/err")); give the right one, or --reset-password"
fi

# --- 4. schema and company -----------------------------------------------------------------
step 4 "Schema and company (crm-admin init / migrate)"
MIGRATED=0 COMPANY_MADE=0 revision=""
if (( ! HAS_USERS )); then
  if [[ -z $COMPANY ]]; then
    would "crm-admin init (needs --company, --admin-name and --admin-mobile)"
  elif (( DRY_RUN )); then
    would "crm-admin init --company $COMPANY --admin-name $ADMIN_NAME --admin-mobile $ADMIN_MOBILE (as $OWNER)"
  else
    printf '%s\n' "$ADMIN_PW" | owner_crm_admin init --company "$COMPANY" --admin-name "$ADMIN_NAME" \
      --admin-mobile "$ADMIN_MOBILE" --password-stdin 2>&1 | indent || die "crm-admin init failed"
    did "created the schema and the company $COMPANY (administrator $ADMIN_NAME, $ADMIN_MOBILE)"
    MIGRATED=1 COMPANY_MADE=1
  fi
else
  version_owner=$(su_query "$DB" "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'alembic_version'")
  if [[ -n $version_owner && $version_owner != "$OWNER" ]]; then
    already "the company is set up; its tables belong to $version_owner: server-setup (next) upgrades the schema and gives them to $OWNER"
  elif (( DRY_RUN )); then
    already "the company is set up"
    would "crm-admin migrate (upgrades the schema if this crm-admin is newer)"
  else
    out=$(owner_crm_admin migrate </dev/null 2>&1) || { printf '%s\n' "$out" | indent; die "crm-admin migrate failed"; }
    if [[ $out == *"Already up to date"* ]]; then
      already "the company is set up and the schema is up to date ($(printf '%s' "$out" | sed -n 's/.*Already up to date: //p'))"
    else
      printf '%s\n' "$out" | indent; did "upgraded the schema"; MIGRATED=1
    fi
  fi
fi

# --- 5. server-setup -----------------------------------------------------------------------
step 5 "Secure server mode (crm-admin server-setup: roles, grants, row-level security)"
setup_marker() { printf 'crm-desktop server-setup at revision %s' "$1"; }
SETUP_DONE=0
if [[ -n $DB_OWNER ]] && (( HAS_SCHEMA && ! REDO_SETUP && ! MIGRATED )); then
  # Done when it ran at this schema revision (the comment it leaves on the database), its
  # function exists, every table is the owner's and the group has its grants: a migrate since,
  # or a restore (crm-admin restore brings the data back without grants), calls for it again.
  state=$(su_query "$DB" "SELECT (SELECT version_num FROM alembic_version LIMIT 1) || '|' ||
      coalesce(shobj_description((SELECT oid FROM pg_database WHERE datname = current_database()), 'pg_database'), '') || '|' ||
      (to_regprocedure('crm_sync_login(integer, text)') IS NOT NULL)::text || '|' ||
      (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> '$OWNER')::text || '|' ||
      (EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$GROUP')
       AND has_table_privilege('$GROUP', 'customers', 'SELECT'))::text")
  IFS='|' read -r revision marker has_function foreign_tables granted <<<"$state"
  if [[ $marker == "$(setup_marker "$revision")" && $has_function == true && $foreign_tables == 0 && $granted == true ]]; then
    SETUP_DONE=1
  fi
fi
if (( SETUP_DONE )); then
  already "set up at schema revision $revision: roles $OWNER, $GROUP and ${DB}_u_<user id>, row-level security on"
elif (( DRY_RUN )); then
  would "crm-admin server-setup as the superuser (roles $OWNER, $GROUP, ${DB}_u_<user id>; grants; row-level security)"
else
  su_crm_admin server-setup </dev/null 2>&1 | indent || die "crm-admin server-setup failed"
  revision=$(su_query "$DB" 'SELECT version_num FROM alembic_version LIMIT 1')
  su_query "$DB" "COMMENT ON DATABASE $DB IS $(sql_literal "$(setup_marker "$revision")")" >/dev/null
  did "secured $DB at schema revision $revision"
fi
# The directory role the PCs' server entries name (secure server mode: it may only look up a
# user's own login role; services/org/server_login.py). Its password: line 3 of --password-stdin,
# CRM_LOGIN_PASSWORD, or a prompt; once it can log in, a re-run leaves it (--reset-password: anew).
DIRECTORY=${DB}_login
if (( DRY_RUN )); then
  would "let $DIRECTORY (the PCs' server entry) log in with the password given"
elif [[ $(su_query postgres "SELECT rolcanlogin FROM pg_roles WHERE rolname = '$DIRECTORY'") == t ]] && ! (( RESET_PASSWORD )); then
  already "$DIRECTORY (the PCs' server entry) can log in"
else
  if [[ -z $DIR_PW ]]; then
    ask "Password for $DIRECTORY (each PC's server entry)" DIR_PW || true
  fi
  if [[ -n $DIR_PW ]]; then
    printf "SET log_statement = 'none'; SET log_min_duration_statement = -1;\nALTER ROLE %s LOGIN PASSWORD %s;\n" \
      "$DIRECTORY" "$(sql_literal "$DIR_PW")" | su_psql "$DB" -f - >/dev/null
    did "$DIRECTORY (the PCs' server entry) logs in with the password given"
  else
    skipped "no password for $DIRECTORY (--password-stdin line 3 or CRM_LOGIN_PASSWORD): the PCs cannot use secure mode yet"
  fi
fi
if (( COMPANY_MADE )); then
  # server-setup made the administrator's role without a login; the password is at hand now
  # (every later password goes to the role through the app, services/org/login_roles.py).
  printf "SET log_statement = 'none'; SET log_min_duration_statement = -1;\nSELECT crm_sync_login(id, %s) FROM users WHERE mobile = %s;\n" \
    "$(sql_literal "$ADMIN_PW")" "$(sql_literal "$ADMIN_MOBILE")" | su_psql "$DB" -f - >/dev/null
  did "the administrator's own database role ($(su_query "$DB" "SELECT '${DB}_u_' || id FROM users WHERE mobile = $(sql_literal "$ADMIN_MOBILE")")) logs in with their password"
fi

# --- 6. listen_addresses -------------------------------------------------------------------
CLUSTER=""   # "version name" of the Debian cluster on this port, for pg_ctlcluster
if command -v pg_lsclusters >/dev/null; then
  CLUSTER=$(pg_lsclusters -h 2>/dev/null | awk -v p="$PORT" '$3 == p { print $1, $2; exit }')
fi
CONF_DIR=$PG_CONF_DIR
if [[ -z $CONF_DIR && -n $CLUSTER ]]; then CONF_DIR=/etc/postgresql/${CLUSTER/ //}; fi
if [[ -z $CONF_DIR ]] && (( SERVER_UP )); then CONF_DIR=$(dirname "$(su_query postgres 'SHOW config_file')"); fi
[[ -n $CONF_DIR && -f $CONF_DIR/postgresql.conf ]] || die "no postgresql.conf in '${CONF_DIR:-?}': give --pg-conf-dir"
CONF=$CONF_DIR/postgresql.conf
HBA=$CONF_DIR/pg_hba.conf
[[ -f $HBA ]] || die "no pg_hba.conf in $CONF_DIR"

# postgresql.conf's settings and include_dir lines, in order: "value<TAB>…" / "dir<TAB>…".
conf_lines() {
  sed -n -E "s/^[[:space:]]*listen_addresses[[:space:]]*=?[[:space:]]*('([^']*)'|([^[:space:]#]+)).*/value\t\2\3/p
             s/^[[:space:]]*include_dir[[:space:]]*=?[[:space:]]*'([^']*)'.*/dir\t\1/p" "$1"
}
include_dir() {  # the first active include_dir of postgresql.conf, absolute
  local d
  d=$(conf_lines "$CONF" | awk -F'\t' '$1 == "dir" { print $2; exit }')
  [[ -z $d ]] && return 0
  [[ $d == /* ]] && printf '%s' "$d" || printf '%s/%s' "$CONF_DIR" "$d"
}
# Where listen_addresses is set last (PostgreSQL takes the last): "value<TAB>file", or nothing.
effective_listen() {
  local kind rest last="" f v
  while IFS=$'\t' read -r kind rest; do
    if [[ $kind == value ]]; then last="$rest"$'\t'"$CONF"
    else
      [[ $rest == /* ]] || rest=$CONF_DIR/$rest
      [[ -d $rest ]] || continue
      while IFS= read -r f; do
        v=$(conf_lines "$f" | awk -F'\t' '$1 == "value" { v = $2 } END { if (v != "") print v }')
        [[ -n $v ]] && last="$v"$'\t'"$f"
      done < <(find "$rest" -maxdepth 1 -type f -name '*.conf' ! -name '.*' | LC_ALL=C sort)
    fi
  done < <(conf_lines "$CONF")
  printf '%s' "$last"
}
write_file() {  # write_file PATH MODE REFERENCE: standard input into PATH atomically, owned like REFERENCE
  local tmp
  tmp=$(mktemp "$(dirname "$1")/.crm-setup.XXXXXX")
  cat >"$tmp"
  chmod "$2" "$tmp"
  if [[ -e $3 ]]; then chown --reference="$3" "$tmp"; fi
  mv -f "$tmp" "$1"
}

step 6 "listen_addresses = '$LISTEN' ($CONF_DIR)"
RESTART_NEEDED=0 RELOAD_NEEDED=0
current=$(effective_listen)
current_value=${current%%$'\t'*} current_file=${current#*$'\t'}
if [[ -n $current && $current_value == "$LISTEN" ]]; then
  already "listen_addresses = '$LISTEN' in $current_file"
else
  incdir=$(include_dir)
  if [[ -n $incdir ]]; then
    target=$incdir/99-crm-desktop.conf
    what="wrote $target"
  else
    target=$CONF
    what="set it in $CONF (the lines before are commented out)"
  fi
  if (( DRY_RUN )); then
    would "set listen_addresses = '$LISTEN' (now '${current_value:-localhost}'): ${what/wrote/write}"
  else
    if [[ $target == "$CONF" ]]; then
      { sed -E 's/^([[:space:]]*listen_addresses[[:space:]]*=?)/#\1/' "$CONF"
        printf "\n# CRM Desktop team server (tools/setup-team-server.sh)\nlisten_addresses = '%s'\n" "$LISTEN"
      } | write_file "$CONF" 0644 "$CONF"
    else
      mkdir -p "$incdir"
      printf "# CRM Desktop team server (tools/setup-team-server.sh): the PCs of the LAN connect;\n# pg_hba.conf and the firewall say which.\nlisten_addresses = '%s'\n" "$LISTEN" \
        | write_file "$target" 0644 "$CONF"
    fi
    did "listen_addresses = '$LISTEN' (was '${current_value:-localhost}'): $what"
    after=$(effective_listen)
    [[ ${after%%$'\t'*} == "$LISTEN" ]] || note "still '${after%%$'\t'*}', set by ${after#*$'\t'} (read after ours): change it there"
    RESTART_NEEDED=1
  fi
fi

# --- 7. pg_hba.conf ------------------------------------------------------------------------
step 7 "pg_hba.conf: the LAN $LAN may log in to $DB"
METHOD=scram-sha-256
if (( SERVER_UP )) && [[ $(su_query postgres 'SHOW password_encryption') == md5 ]]; then METHOD=md5; fi
# An active host line for this database (or all) from exactly this network: already allowed.
existing=$(awk -v db="$DB" -v lan="$LAN" '
  /^[[:space:]]*#/ || NF < 5 { next }
  $1 ~ /^host/ && $4 == lan { n = split($2, dbs, ","); for (i = 1; i <= n; i++) if (dbs[i] == db || dbs[i] == "all") { print FNR ": " $0; exit } }
' "$HBA")
if [[ -n $existing ]]; then
  already "line $existing"
else
  line=$(printf 'host    %s    %s,%s,+%s    %s    %s' "$DB" "$OWNER" "${DB}_login" "$GROUP" "$LAN" "$METHOD")
  if (( DRY_RUN )); then would "append to $HBA: $line"
  else
    { cat "$HBA"; printf '\n# CRM Desktop: the office LAN (tools/setup-team-server.sh); the owner and each user'"'"'s own role\n%s\n' "$line"; } \
      | write_file "$HBA" "$(stat -c %a "$HBA")" "$HBA"
    did "appended to $HBA: $line"
    RELOAD_NEEDED=1
  fi
fi

# --- 8. reload / restart -------------------------------------------------------------------
step 8 "Reload / restart PostgreSQL"
if (( ! RESTART_NEEDED && ! RELOAD_NEEDED )); then
  if (( DRY_RUN )); then would "restart or reload if the steps above change the configuration"
  else already "nothing changed in the configuration"; fi
elif (( NO_RESTART )); then
  if (( RESTART_NEEDED )); then skipped "--no-restart: restart PostgreSQL for listen_addresses (systemctl restart postgresql)"
  else skipped "--no-restart: reload PostgreSQL for pg_hba.conf (systemctl reload postgresql)"; fi
elif (( RESTART_NEEDED )); then
  need_root "restarting PostgreSQL"
  if [[ -n $CLUSTER ]]; then
    # shellcheck disable=SC2086  # "version name"
    pg_ctlcluster $CLUSTER restart; did "restarted the cluster $CLUSTER"
  else
    systemctl restart postgresql; did "restarted postgresql"
  fi
else
  su_query postgres 'SELECT pg_reload_conf()' >/dev/null; did "reloaded the configuration"
fi

# --- 9. firewall ---------------------------------------------------------------------------
step 9 "Firewall: TCP $PORT from $LAN"
UFW_RULE=(allow from "$LAN" to any port "$PORT" proto tcp)
if (( NO_FIREWALL )); then
  skipped "--no-firewall"
elif ! command -v ufw >/dev/null; then
  note "no ufw here: allow TCP $PORT from $LAN in your firewall"
elif (( DRY_RUN )); then
  would "ufw ${UFW_RULE[*]}"
else
  need_root "ufw"
  # ufw keeps its rules unique itself: it says "Skipping adding existing rule" for a known one.
  out=$(ufw "${UFW_RULE[@]}" 2>&1) || die "ufw ${UFW_RULE[*]}: $out"
  if [[ $out == *"Skipping"* ]]; then already "ufw ${UFW_RULE[*]}"; else did "ufw ${UFW_RULE[*]}"; fi
  ufw status 2>/dev/null | grep -q 'Status: active' || note "ufw is not active: the rule applies once it is (ufw enable)"
fi

# --- 10. nightly backups -------------------------------------------------------------------
step 10 "Nightly backup at $BACKUP_TIME into $BACKUP_DIR"
CRON_FILE=$CRON_DIR/crm-desktop-backup-$DB   # cron skips file names with dots: none here
backup_cron() {
  printf '# CRM Desktop: the nightly backup of the database %s (tools/setup-team-server.sh writes this\n' "$DB"
  printf '# file: run it again rather than editing). Restore: crm-admin restore FILE (README, Team on a LAN).\n'
  printf 'SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'
  printf '%d %d * * * root PGPASSFILE=%s CRM_DATABASE_URL=%s %s backup %s >>%s/backup.log 2>&1\n' \
    "$CRON_MINUTE" "$CRON_HOUR" "$PGPASS_FILE" "$OWNER_URL" "$CRM_ADMIN" "$BACKUP_DIR" "$BACKUP_DIR"
  # The scheduled jobs (pool recycling, reminders, date rules): a PC on a user's own role
  # (secure server mode) does not run them — they act for the whole company — the server does.
  printf '17 * * * * root PGPASSFILE=%s CRM_DATABASE_URL=%s %s run-jobs >>%s/jobs.log 2>&1\n' \
    "$PGPASS_FILE" "$OWNER_URL" "$CRM_ADMIN" "$BACKUP_DIR"
  if (( KEEP_DAYS > 0 )); then
    printf '%d %d * * * root find %s -maxdepth 1 -name '"'"'crm-backup-*.dump'"'"' -mtime +%d -delete\n' \
      "$CRON_MINUTE" "$(( (CRON_HOUR + 1) % 24 ))" "$BACKUP_DIR" "$KEEP_DAYS"
  fi
}
# The password for the backups: a root-only pgpass file, never the cron line.
if (( DRY_RUN )); then
  if [[ -f $PGPASS_FILE ]]; then already "$PGPASS_FILE exists"
  else would "write $PGPASS_FILE (mode 0600) with $OWNER's password"; fi
elif [[ -f $PGPASS_FILE ]] && [[ $(cat "$PGPASS_FILE") == "$(pgpass_line "$DB_PW")" ]]; then
  already "$PGPASS_FILE holds $OWNER's password"
else
  pgpass_dir=$(dirname "$PGPASS_FILE")
  if [[ ! -d $pgpass_dir ]]; then mkdir -p "$pgpass_dir"; chmod 0700 "$pgpass_dir"; fi
  pgpass_line "$DB_PW" | (umask 077; write_file "$PGPASS_FILE" 0600 /nonexistent)
  did "wrote $PGPASS_FILE (mode 0600) with $OWNER's password"
fi
if [[ -d $BACKUP_DIR ]]; then
  already "$BACKUP_DIR exists"
elif (( DRY_RUN )); then would "create $BACKUP_DIR (mode 0700)"
else mkdir -p "$BACKUP_DIR"; chmod 0700 "$BACKUP_DIR"; did "created $BACKUP_DIR (mode 0700)"; fi
wanted=$(backup_cron)
if [[ -f $CRON_FILE && $(cat "$CRON_FILE") == "$wanted" ]]; then
  already "$CRON_FILE"
elif (( DRY_RUN )); then
  would "write $CRON_FILE: $(printf '%s\n' "$wanted" | grep -E '^[0-9].* backup ')"
else
  mkdir -p "$CRON_DIR"
  printf '%s\n' "$wanted" | write_file "$CRON_FILE" 0644 /nonexistent
  did "wrote $CRON_FILE"
fi

# --- summary -------------------------------------------------------------------------------
(( DRY_RUN )) && { printf '\nDry run: nothing was changed.\n'; exit 0; }
address=$(hostname -I 2>/dev/null | awk '{ print $1 }')
address=${address:-"<this PC's address>"}
cat <<EOF

Each PC: login dialog → Add server… → server $address, port $PORT, database $DB,
user $DIRECTORY and its password; then log in with a CRM user's mobile number and password:
the app then works as that user's own database role, and the server itself enforces their
data scope. (Entering $OWNER instead is the shared-role mode: the app alone enforces scopes.
Keep $OWNER's password to the administrator.)
Backups: $CRON_FILE runs "crm-admin backup $BACKUP_DIR" at $BACKUP_TIME (log: $BACKUP_DIR/backup.log),
and the scheduled jobs (pool recycling, reminders) every hour (log: $BACKUP_DIR/jobs.log).
EOF
