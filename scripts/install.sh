#!/usr/bin/env bash
# Installs Quire from this checkout on Debian or Ubuntu: the system packages it needs, its npm
# dependencies (which also builds it), and the `quire` command on PATH.
#
#   scripts/install.sh                 install (again: safe to re-run)
#   scripts/install.sh --uninstall     remove the `quire` command
#   scripts/install.sh --skip-npm-ci   packages and link only, for a checkout already installed
#
# Works as root and as a user with sudo. QUIRE_BIN_DIR picks where the command is linked
# (default /usr/local/bin, which is on PATH for root and users alike). It ends by checking that
# bubblewrap can run Quire's sandbox for this user (exit 1 and what to do when it cannot).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin_dir=${QUIRE_BIN_DIR:-/usr/local/bin}
link="$bin_dir/quire"
target="$repo/packages/cli/bin/quire.js"
node_min_major=20
node_min_minor=19

say() { printf 'quire install: %s\n' "$*"; }
fail() {
  printf 'quire install: %s\n' "$*" >&2
  exit 1
}

# Root runs commands itself; anyone else goes through sudo, and without it we say what to do.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    fail "this step needs root: run the script as root, or install sudo (as root: apt-get install sudo) and add yourself to the sudo group. Command: $*"
  fi
}

# Writing the link needs root only when the folder is not ours to write.
in_bin_dir() {
  if [ -w "$bin_dir" ]; then "$@"; else as_root "$@"; fi
}

check_node() {
  local fix="install Node.js ${node_min_major}.${node_min_minor} or newer, e.g. from https://nodejs.org or NodeSource (curl -fsSL https://deb.nodesource.com/setup_22.x | sudo bash - && sudo apt-get install -y nodejs), then run this script again"
  command -v node >/dev/null 2>&1 || fail "Node.js is not installed: $fix"
  command -v npm >/dev/null 2>&1 || fail "npm is not installed: $fix"
  local version major minor
  version=$(node -p 'process.versions.node')
  major=${version%%.*}
  minor=${version#*.}
  minor=${minor%%.*}
  if [ "$major" -lt "$node_min_major" ] || { [ "$major" -eq "$node_min_major" ] && [ "$minor" -lt "$node_min_minor" ]; }; then
    fail "Node.js $version is too old: $fix"
  fi
}

# Each command Quire (or building its SQLite driver) runs, and the Debian package that provides it.
missing_packages() {
  local pairs=(bwrap:bubblewrap git:git rg:ripgrep python3:python3 make:make g++:g++)
  local pair
  for pair in "${pairs[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || printf '%s\n' "${pair#*:}"
  done
}

install_packages() {
  local packages
  mapfile -t packages < <(missing_packages)
  if [ ${#packages[@]} -eq 0 ]; then
    say "system packages: all present"
    return
  fi
  command -v apt-get >/dev/null 2>&1 ||
    fail "install these packages with your system's package manager, then run this script again: ${packages[*]}"
  say "installing ${packages[*]}"
  # A fresh image has no package lists; refreshing them first is what makes the install work there.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
}

link_command() {
  if [ -e "$link" ] && [ ! -L "$link" ]; then
    fail "$link exists and is not a link made by this script; remove it or set QUIRE_BIN_DIR, then run this script again"
  fi
  [ -d "$bin_dir" ] || mkdir -p "$bin_dir" 2>/dev/null || as_root mkdir -p "$bin_dir"
  in_bin_dir ln -sfn "$target" "$link"
  say "linked $link -> $target"
  case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) say "note: $bin_dir is not on your PATH; add it to run quire" ;;
  esac
}

# Quire runs every command of a task in bubblewrap, as the user who runs `quire serve`: try that
# here, as this user, the way Quire's own check does (a user namespace that cannot nest). Ubuntu
# 23.10 and later refuse it to users other than root unless AppArmor allows bwrap.
check_sandbox() {
  local out bwrap
  bwrap=$(command -v bwrap)
  # An empty environment, as Quire's check has: `true` is then found on the default PATH.
  if out=$(env -i "$bwrap" --unshare-all --unshare-user --disable-userns --ro-bind / / -- true 2>&1); then
    say "sandbox: bubblewrap works for $(id -un)"
    return
  fi
  fail "quire is installed, but bubblewrap cannot create the namespaces Quire's sandbox needs for $(id -un) (${out:-no message}), so every task would fail. On Ubuntu 23.10 and later AppArmor restricts them: let bwrap create them with an AppArmor profile (see the README's \"Ubuntu: AppArmor and bubblewrap\"), or allow them for every program with sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0. Elsewhere: sudo sysctl -w kernel.unprivileged_userns_clone=1 (Debian) or a non-zero user.max_user_namespaces. Then run quire serve."
}

uninstall() {
  if [ -L "$link" ]; then
    in_bin_dir rm -f "$link"
    say "removed $link"
  elif [ -e "$link" ]; then
    fail "$link is not a link made by this script; left alone"
  else
    say "no quire command at $link"
  fi
  say "Quire's data (tasks, database, config) stays in its home: remove it with rm -rf \"\${QUIRE_HOME:-\$HOME/.quire}\"; the system packages (bubblewrap, git, ripgrep) stay too."
}

main() {
  local skip_npm_ci=false
  case "${1:-}" in
    "") ;;
    --uninstall)
      uninstall
      return
      ;;
    --skip-npm-ci) skip_npm_ci=true ;;
    -h | --help)
      sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      return
      ;;
    *) fail "unknown option $1 (use --uninstall, --skip-npm-ci or --help)" ;;
  esac
  check_node
  install_packages
  if [ "$skip_npm_ci" = false ]; then
    say "npm ci (installs and builds; about a minute or two)"
    (cd "$repo" && npm ci --no-audit --no-fund)
  fi
  [ -f "$repo/packages/cli/dist/main.js" ] || fail "Quire is not built: run npm ci in $repo, then this script again"
  link_command
  check_sandbox
  say "done: quire $("$link" --version) is installed; run quire serve, or quire --help"
}

main "$@"
