# shellcheck shell=bash
# shellcheck disable=SC2034  # CLINIC_* variables are used by the scripts that source this file
# Shared by .ci/run (CI) and dev/start (a developer's or an administrator's Odoo): source it.
# It only defines variables and functions; the callers decide what runs.
#
#   clinic_section TITLE          print a section header
#   clinic_ensure_postgres        start the local PostgreSQL 15 cluster if it is down
#   clinic_require_odoo           fail with one line unless python3 imports Odoo 18
#   clinic_odoo_setup             set CLINIC_ODOO_CMD (array) and CLINIC_ADDONS_PATH
#   clinic_modules                print the clinic_* folders that have a __manifest__.py
#   clinic_install_system_deps    apt-get what is missing (chromium, wkhtmltopdf, libxmlsec1-dev...)
#   clinic_install_python_deps    pip-install requirements.txt (xmlsec trap handled) + dev tools
#   clinic_free_port              print a free TCP port on 127.0.0.1
#
# Functions return non-zero on failure and print why; long outputs go to files in
# $CLINIC_LOG_DIR (default: /tmp/clinic-logs-<uid>), of which the tail is printed on failure.

CLINIC_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLINIC_PYTHON="${CLINIC_PYTHON:-python3}"
CLINIC_PG_VERSION=15
CLINIC_PG_CLUSTER=main

# Debian packages: browser for tour tests, PDF reports, headers to build xmlsec (and lxml).
CLINIC_SYSTEM_PACKAGES=(
    chromium
    wkhtmltopdf
    fonts-dejavu-core
    pkg-config
    libxml2-dev
    libxslt1-dev
    libxmlsec1-dev
)
# Development and CI tools (not in requirements.txt, which is what production needs).
CLINIC_DEV_PACKAGES=(
    "ruff==0.17.6"
    "pylint-odoo==10.0.12"
    "pytest>=8,<10"
    "websocket-client>=1.6"
)
# OCA add-ons, as PyPI wheels of their 18.0 series. Each declares a dependency on an `odoo`
# distribution pip cannot see (Odoo is installed from source), so they go in with --no-deps;
# their own Python dependencies are in Odoo's requirements already. Never vendored.
CLINIC_OCA_ADDONS=(
    "odoo-addon-queue-job==18.0.4.1.2.2"
)
# What xmlsec's setup.py needs when built with --no-build-isolation.
CLINIC_XMLSEC_BUILD_DEPS=(
    "setuptools_scm[toml]>=3.4,<9"
    "pkgconfig>=1.5.1"
    "wheel"
)

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore

clinic_section() {
    printf '\n===== %s =====\n' "$*"
}

# Folder for long logs: $CLINIC_LOG_DIR (.ci/run sets its own), else one fixed folder per user.
clinic_log_dir() {
    local dir="${CLINIC_LOG_DIR:-${TMPDIR:-/tmp}/clinic-logs-$(id -u)}"
    mkdir -p "$dir"
    printf '%s\n' "$dir"
}

# Run "$@" as root: directly when we are root, else through sudo.
clinic_as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "needs root (no sudo): $*" >&2
        return 1
    fi
}

# Print the last lines of a log file, indented, after a one-line title.
clinic_tail() {
    local file="$1" lines="${2:-40}"
    echo "--- last $lines lines of $file ---"
    tail -n "$lines" "$file" 2>/dev/null | sed 's/^/    /'
    echo "---"
}

clinic_ensure_postgres() {
    if ! pg_isready -q 2>/dev/null; then
        echo "PostgreSQL is not running: starting cluster $CLINIC_PG_VERSION/$CLINIC_PG_CLUSTER"
        clinic_as_root pg_ctlcluster --skip-systemctl-redirect "$CLINIC_PG_VERSION" "$CLINIC_PG_CLUSTER" start \
            || { echo "could not start PostgreSQL $CLINIC_PG_VERSION/$CLINIC_PG_CLUSTER"; return 1; }
        for _ in $(seq 30); do
            pg_isready -q 2>/dev/null && break
            sleep 1
        done
        pg_isready -q 2>/dev/null || { echo "PostgreSQL did not accept connections within 30 s"; return 1; }
    fi
    # Odoo connects through the Unix socket as the current OS user: that role must exist.
    if ! psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        echo "creating the PostgreSQL superuser role $(id -un)"
        clinic_as_root runuser -u postgres -- createuser --superuser "$(id -un)" \
            || { echo "could not create the PostgreSQL role $(id -un)"; return 1; }
    fi
    echo "PostgreSQL: $(psql -d postgres -Atqc 'show server_version' 2>/dev/null) ready on its Unix socket"
}

clinic_require_odoo() {
    local major
    major="$("$CLINIC_PYTHON" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null)"
    if [ "$major" != 18 ]; then
        echo "Odoo 18 is not importable by $CLINIC_PYTHON: install it first (see README)"
        return 1
    fi
}

# CLINIC_ODOO_CMD: how to run odoo-bin; CLINIC_ADDONS_PATH: Odoo's addons folders + this repo.
# Works for a source checkout (<src>/odoo/addons + <src>/addons) and for a tree with every
# add-on inside the package (<src>/odoo/addons only), wherever it lies.
clinic_odoo_setup() {
    local pkg src dir paths=()
    pkg="$("$CLINIC_PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.abspath(odoo.__file__)))')" \
        || return 1
    src="$(dirname "$pkg")"
    for dir in "$pkg/addons" "$src/addons"; do
        if [ -d "$dir" ] && compgen -G "$dir/*/__manifest__.py" >/dev/null; then
            paths+=("$dir")
        fi
    done
    if [ ${#paths[@]} -eq 0 ]; then
        echo "no Odoo addons folder found next to $pkg"
        return 1
    fi
    if [ ! -d "$pkg/addons/web" ] && [ ! -d "$src/addons/web" ]; then
        echo "warning: Odoo's 'web' add-on was not found in ${paths[*]}"
    fi
    CLINIC_ADDONS_PATH="$(IFS=,; echo "${paths[*]}"),$CLINIC_REPO"
    if [ -f "$src/odoo-bin" ]; then
        CLINIC_ODOO_CMD=("$CLINIC_PYTHON" "$src/odoo-bin")
    else
        CLINIC_ODOO_CMD=("$CLINIC_PYTHON" -m odoo)
    fi
    export CLINIC_ADDONS_PATH
}

clinic_modules() {
    local manifest
    for manifest in "$CLINIC_REPO"/clinic_*/__manifest__.py; do
        [ -f "$manifest" ] && basename "$(dirname "$manifest")"
    done
}

clinic_install_system_deps() {
    local pkg missing=() log
    for pkg in "${CLINIC_SYSTEM_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "system packages: all present"
        return 0
    fi
    log="$(clinic_log_dir)/apt.log"
    echo "system packages: installing ${missing[*]} (log: $log)"
    if ! clinic_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 \
        || ! clinic_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >>"$log" 2>&1; then
        echo "apt-get failed"
        clinic_tail "$log"
        return 1
    fi
}

# Prints one word per problem (nothing when all is in place):
#   missing:<requirement>   not installed or wrong version (requirements.txt and dev tools)
#   oca:<requirement>       an OCA add-on wheel not installed or of another version
#   lxml-libxml2            lxml is not linked with the system's libxml2 (a PyPI wheel): rebuild
#   xmlsec-import           `import xmlsec` fails (missing, or built against another libxml2/lxml)
clinic_python_deps_problems() {
    "$CLINIC_PYTHON" - "$CLINIC_REPO/requirements.txt" "${CLINIC_DEV_PACKAGES[@]}" \
        "${CLINIC_OCA_ADDONS[@]/#/oca:}" <<'EOF'
import subprocess
import sys
from importlib import metadata

try:
    from packaging.requirements import Requirement
except ImportError:  # pip always vendors it
    from pip._vendor.packaging.requirements import Requirement

lines = [line.split("#", 1)[0].strip() for line in open(sys.argv[1], encoding="utf-8")]
wanted = [line for line in lines if line and not line.startswith("-")] + sys.argv[2:]
for text in wanted:
    oca = text.startswith("oca:")
    bare = text[len("oca:") :] if oca else text
    req = Requirement(bare)
    if req.marker and not req.marker.evaluate():
        continue
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        version = None
    if version is None or (req.specifier and not req.specifier.contains(version, prereleases=True)):
        print(f"oca:{bare}" if oca else f"missing:{text}")

try:
    import lxml.etree as etree

    system = subprocess.run(
        ["pkg-config", "--modversion", "libxml-2.0"], capture_output=True, text=True, check=False
    ).stdout.strip()
    mine = ".".join(map(str, etree.LIBXML_VERSION))
    if system and mine != system:
        print("lxml-libxml2")
except ImportError:
    pass

check = subprocess.run([sys.executable, "-c", "import xmlsec"], capture_output=True, check=False)
if check.returncode:
    print("xmlsec-import")
EOF
}

clinic_install_python_deps() {
    local problems log reqs lxml_req xmlsec_req
    problems="$(clinic_python_deps_problems)" || { echo "cannot check the Python packages"; return 1; }
    if [ -z "$problems" ]; then
        echo "Python packages: all present (requirements.txt, xmlsec linked like lxml, dev tools)"
        return 0
    fi
    echo "Python packages to fix: $(echo "$problems" | tr '\n' ' ')"
    log="$(clinic_log_dir)/pip.log"
    reqs="$(clinic_log_dir)/requirements-without-xmlsec.txt"
    grep -viE '^[[:space:]]*xmlsec([^a-z0-9_.-]|$)' "$CLINIC_REPO/requirements.txt" >"$reqs"
    lxml_req="$(grep -iE '^[[:space:]]*lxml[=<>!~ ]' "$CLINIC_REPO/requirements.txt" | head -n1 | sed 's/[[:space:]]*#.*//')"
    xmlsec_req="$(grep -iE '^[[:space:]]*xmlsec[=<>!~ ]' "$CLINIC_REPO/requirements.txt" | head -n1 | sed 's/[[:space:]]*#.*//')"
    if ! (
        set -x
        # 1. lxml from source against Debian's libxml2 (a PyPI wheel brings its own libxml2).
        if grep -qx 'lxml-libxml2' <<<"$problems"; then
            "$CLINIC_PYTHON" -m pip install --quiet --no-binary lxml --force-reinstall --no-deps "${lxml_req:-lxml}"
        fi &&
        # 2. everything else in requirements.txt (lxml stays a source build: --no-binary in the file).
        "$CLINIC_PYTHON" -m pip install --quiet -r "$reqs" &&
        # 3. xmlsec from source, against Debian's libxmlsec1 and the lxml installed above.
        if grep -qE '^(xmlsec-import|lxml-libxml2|missing:xmlsec|missing:lxml)' <<<"$problems"; then
            "$CLINIC_PYTHON" -m pip install --quiet "${CLINIC_XMLSEC_BUILD_DEPS[@]}" &&
            "$CLINIC_PYTHON" -m pip install --quiet --no-build-isolation --no-binary xmlsec --no-cache-dir \
                --force-reinstall --no-deps "${xmlsec_req:-xmlsec}"
        fi &&
        # 4. dev and CI tools.
        "$CLINIC_PYTHON" -m pip install --quiet "${CLINIC_DEV_PACKAGES[@]}" &&
        # 5. OCA add-ons: --no-deps, since their wheels depend on an `odoo` distribution.
        "$CLINIC_PYTHON" -m pip install --quiet --no-deps "${CLINIC_OCA_ADDONS[@]}"
    ) >"$log" 2>&1; then
        echo "pip failed (log: $log)"
        clinic_tail "$log"
        return 1
    fi
    problems="$(clinic_python_deps_problems)"
    if [ -n "$problems" ]; then
        echo "Python packages still wrong after installing: $(echo "$problems" | tr '\n' ' ')"
        "$CLINIC_PYTHON" -c 'import xmlsec' 2>&1 | tail -n 3 | sed 's/^/    /'
        return 1
    fi
    echo "Python packages: installed (log: $log)"
}

clinic_free_port() {
    "$CLINIC_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
