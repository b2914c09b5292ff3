#!/usr/bin/env bash
# The Debian packages, end to end, from an existing release build (never builds):
#   tests/package/test_deb.sh [build-dir]    (default build/release; scripts/test runs it)
# 1. scripts/package makes the two .debs.
# 2. Their control fields (name, version, architecture, maintainer, description, Depends
#    covering every shared library the binaries need) and their exact contents (binaries in
#    /usr/bin, stripped; man page; completions; nothing else, so no test binaries; the
#    endpoint in its own package).
# 3. The man page formats without warnings; the bash completion (through bash-completion's
#    own loader) and the zsh completion (in a real zsh, on a pty) complete subcommands,
#    options and profile names.
# 4. As root, with neither package nor binary already present: `dpkg -i` of the plugin
#    package alone, then the endpoint's, into the real system, and `dpkg -r` of both at the
#    end, leaving the machine as found. Otherwise (not root, or something already there) the
#    packages are extracted with `dpkg-deb -x` into a temporary directory instead.
# 5. The installed (or extracted) binaries: `session-manager-plugin` with no arguments and
#    `--version`, then a real session: ssm-local-endpoint --stream-target source:4096,
#    StartSession with curl, the plugin given the response as the AWS CLI gives it; 4096 bytes
#    must arrive, with the SHA-256 the endpoint reports having sent.
# Exit status 0 only if every check passed. (No pipeline here ends before its input does:
# under pipefail, `producer | grep -q` can fail with SIGPIPE even when grep matched.)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}

failures=0
fail() { echo "test_deb: FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "test_deb: ok: $*"; }
die() { echo "test_deb: FAIL: $*" >&2; exit 1; }

work=$(mktemp -d /tmp/ssm-test-deb.XXXXXX)
installed=()   # packages this test installed, removed again at exit
endpoint_pid=""
cleanup() {
  [ -n "$endpoint_pid" ] && kill "$endpoint_pid" 2>/dev/null && wait "$endpoint_pid" 2>/dev/null
  local i
  for ((i = ${#installed[@]} - 1; i >= 0; i--)); do
    dpkg -r "${installed[i]}" >"$work/dpkg-r.log" 2>&1 ||
      { cat "$work/dpkg-r.log" >&2; echo "test_deb: FAIL: dpkg -r ${installed[i]}" >&2; }
  done
  rm -rf "$work"
}
trap cleanup EXIT

# ---- 1. build the packages -------------------------------------------------------------------
scripts/package "$build" >/dev/null || die "scripts/package $build"
shopt -s nullglob
plugin_debs=("$build"/session-manager-plugin_*.deb)
endpoint_debs=("$build"/ssm-local-endpoint_*.deb)
all_debs=("$build"/*.deb)
shopt -u nullglob
[ ${#plugin_debs[@]} -eq 1 ] || die "expected one session-manager-plugin_*.deb in $build, found ${#plugin_debs[@]}"
[ ${#endpoint_debs[@]} -eq 1 ] || die "expected one ssm-local-endpoint_*.deb in $build, found ${#endpoint_debs[@]}"
[ ${#all_debs[@]} -eq 2 ] || fail "expected exactly two .debs, found: ${all_debs[*]}"
plugin_deb=${plugin_debs[0]}
endpoint_deb=${endpoint_debs[0]}
ok "built $(basename "$plugin_deb") ($(stat -c %s "$plugin_deb") bytes), $(basename "$endpoint_deb") ($(stat -c %s "$endpoint_deb") bytes)"

protocol_version=$(sed -n 's/^set(SSM_PROTOCOL_VERSION "\([^"]*\)").*/\1/p' CMakeLists.txt)
project_version=$(sed -n 's/^project([^)]* VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$protocol_version" ] && [ -n "$project_version" ] || die "cannot read the versions from CMakeLists.txt"
deb_version="$protocol_version+cpp$project_version-1"
arch=$(dpkg --print-architecture)

# ---- 2. control fields and contents ----------------------------------------------------------
field() { dpkg-deb -f "$1" "$2"; }
check_control() {  # deb package-name summary-word
  local deb=$1 name=$2 word=$3
  [ "$(field "$deb" Package)" = "$name" ] || fail "$deb: Package is '$(field "$deb" Package)', not $name"
  [ "$(field "$deb" Version)" = "$deb_version" ] || fail "$deb: Version is '$(field "$deb" Version)', not $deb_version"
  [ "$(field "$deb" Architecture)" = "$arch" ] || fail "$deb: Architecture is '$(field "$deb" Architecture)', not $arch"
  [[ $(field "$deb" Maintainer) =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] || fail "$deb: Maintainer '$(field "$deb" Maintainer)' is not 'Name <address>'"
  local description
  description=$(field "$deb" Description)
  [[ $(head -1 <<<"$description") == *"$word"* ]] || fail "$deb: Description's summary does not mention $word"
  [ "$(wc -l <<<"$description")" -ge 3 ] || fail "$deb: Description has no long text"
  [ "$(basename "$deb")" = "${name}_${deb_version}_${arch}.deb" ] || fail "$deb: file name is not ${name}_${deb_version}_${arch}.deb"
}
check_control "$plugin_deb" session-manager-plugin "Session Manager"
check_control "$endpoint_deb" ssm-local-endpoint "Session Manager"
dpkg-deb -I "$plugin_deb" >/dev/null || fail "dpkg-deb -I $plugin_deb"

# Regular files only, "mode owner path", sorted.
listing() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { print $1, $2, $6 }' | sort; }
expected_plugin="-rw-r--r-- root/root ./usr/share/bash-completion/completions/session-manager-plugin
-rw-r--r-- root/root ./usr/share/man/man1/session-manager-plugin.1.gz
-rw-r--r-- root/root ./usr/share/zsh/vendor-completions/_session-manager-plugin
-rwxr-xr-x root/root ./usr/bin/session-manager-plugin"
expected_endpoint="-rwxr-xr-x root/root ./usr/bin/ssm-local-endpoint"
[ "$(listing "$plugin_deb")" = "$(sort <<<"$expected_plugin")" ] ||
  fail "session-manager-plugin package contents differ from what is expected:"$'\n'"$(diff <(sort <<<"$expected_plugin") <(listing "$plugin_deb") | sed 's/^/  /')"
[ "$(listing "$endpoint_deb")" = "$expected_endpoint" ] ||
  fail "ssm-local-endpoint package contents differ from what is expected:"$'\n'"$(diff <(echo "$expected_endpoint") <(listing "$endpoint_deb") | sed 's/^/  /')"
for deb in "$plugin_deb" "$endpoint_deb"; do
  if dpkg-deb -c "$deb" | grep -Ei 'test|bench|fuzz|\.a$|\.so' >"$work/unwanted"; then
    fail "$deb holds test, benchmark, fuzzer or library files:"$'\n'"$(cat "$work/unwanted")"
  fi
done
ok "control fields; contents: plugin, man page, completions | endpoint alone"

# Both packages, unpacked, for the checks that read their files.
tree=$work/tree
dpkg-deb -x "$plugin_deb" "$tree"
dpkg-deb -x "$endpoint_deb" "$tree"

# Depends: every shared library a binary needs is provided by a package it depends on
# (dpkg-shlibdeps computed them); the binaries carry no debug info (CPACK_STRIP_FILES).
check_binary() {  # deb file-in-tree
  local deb=$1 binary=$tree$2 depends lib path pkg
  depends=$(field "$deb" Depends)
  [ -n "$depends" ] || { fail "$deb: no Depends"; return; }
  for lib in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(ldconfig -p | awk -v lib="$lib" '$1 == lib && path == "" { path = $NF } END { print path }')
    [ -n "$path" ] || { fail "$2 needs $lib, which is not installed"; continue; }
    pkg=""
    # dpkg knows the file by the path its package ships, /lib or /usr/lib (merged /usr).
    for candidate in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr${path#/usr}"; do
      pkg=$(dpkg -S "$candidate" 2>/dev/null | awk -F: '!/^diversion/ && pkg == "" { pkg = $1 } END { print pkg }') &&
        [ -n "$pkg" ] && break
    done
    [ -n "$pkg" ] || { fail "$2 needs $lib ($path), which no package owns"; continue; }
    [[ ", $depends," == *", $pkg "* || ", $depends," == *", $pkg,"* ]] ||
      fail "$deb: Depends ($depends) lacks $pkg, which provides $lib"
  done
  [[ $(readelf -S "$binary") != *.debug_info* ]] || fail "$2 is not stripped"
}
check_binary "$plugin_deb" /usr/bin/session-manager-plugin
check_binary "$endpoint_deb" /usr/bin/ssm-local-endpoint
ok "Depends cover every NEEDED library: $(field "$plugin_deb" Depends)"

# ---- 3. man page and completions -------------------------------------------------------------
man_page=$tree/usr/share/man/man1/session-manager-plugin.1.gz
if command -v groff >/dev/null; then
  warnings=$(zcat "$man_page" | LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z 2>&1)
  [ -z "$warnings" ] || fail "man page: groff warnings:"$'\n'"$warnings"
  text=$(zcat "$man_page" | groff -man -Tascii -P-cbou 2>/dev/null)
  for section in NAME SYNOPSIS DESCRIPTION SUBCOMMANDS OPTIONS ENVIRONMENT "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
    grep -q "^$section\$" <<<"$text" || fail "man page has no $section section"
  done
  for word in start-session shell port-forward ssh-proxy list --pick TARGETS --profile --region --endpoint-url --quiet --verbose \
              "ProxyCommand session-manager-plugin ssh-proxy %h %p" AWS_SSM_START_SESSION_RESPONSE 255; do
    grep -qF -- "$word" <<<"$text" || fail "man page does not mention $word"
  done
  if command -v mandoc >/dev/null; then  # a second, stricter man(7) parser, where installed
    warnings=$(zcat "$man_page" | mandoc -Tlint -W warning 2>&1) || fail "man page: mandoc -Tlint:"$'\n'"$warnings"
  fi
  ok "man page formats without warnings"
else
  fail "groff is not installed (scripts/setup installs groff-base)"
fi

aws_home=$work/home
mkdir -p "$aws_home/.aws"
printf '[default]\nregion = us-east-1\n[profile prod]\n[ profile staging ]\n[sso-session corp]\n[services local]\n' >"$aws_home/.aws/config"
printf '[default]\naws_access_key_id = x\n[ci-bot]\n' >"$aws_home/.aws/credentials"
expected_profiles="ci-bot default prod staging"

# bash: COMPREPLY for a command line whose last word is being completed.
bash_complete() {  # completion-file words...
  local file=$1; shift
  HOME=$aws_home bash --norc --noprofile -c '
    file=$1; shift
    if [ "${file#plain:}" != "$file" ]; then
      . "${file#plain:}"  # without bash-completion: the script falls back to COMP_WORDS
    elif [ -r /usr/share/bash-completion/bash_completion ]; then
      . /usr/share/bash-completion/bash_completion
      # bash-completion finds the file by the command name, in its completions directory
      # when the package is installed, else next to it.
      [ "$file" = installed ] || . "$file"
      complete -p session-manager-plugin >/dev/null 2>&1 || _completion_loader session-manager-plugin
    else
      . "$file"
    fi
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    func=$(complete -p session-manager-plugin | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
    "$func" session-manager-plugin "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sort | xargs' bash "$file" "$@"
}
check_bash() {  # completion-file
  local file=$1 got
  got=$(bash_complete "$file" session-manager-plugin "")
  [ "$got" = "--help --version list port-forward shell ssh-proxy start-session" ] || fail "bash: subcommands: '$got'"
  got=$(bash_complete "$file" session-manager-plugin shell --profile "")
  [ "$got" = "$expected_profiles" ] || fail "bash: --profile: '$got', not '$expected_profiles'"
  got=$(bash_complete "$file" session-manager-plugin port-forward "-")
  [[ " $got " == *" -L "* && " $got " == *" --target "* && " $got " == *" --endpoint-url "* ]] || fail "bash: port-forward options: '$got'"
  got=$(bash_complete "$file" session-manager-plugin start-session --document-name AWS-StartSSH)
  [ "$got" = "AWS-StartSSHSession" ] || fail "bash: --document-name: '$got'"
  got=$(bash_complete "$file" session-manager-plugin '{"SessionId":"s"}' us-east-1 "")
  [ -z "$got" ] || fail "bash: completes the AWS CLI contract's arguments: '$got'"
}

# zsh: what a real interactive zsh lists after TAB, on a pty.
zsh_complete() {  # fpath-dir command-line
  HOME=$aws_home TERM=dumb timeout 30 zsh -f -c '
    zmodload zsh/zpty
    zpty z zsh -f -i
    zpty -w z "PS1=\"%% \"; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; unsetopt beep; LISTMAX=1000"
    zpty -w z "print -r -- READY\$((6*7))"  # the echo of this line says READY$((6*7)), its output READY42
    buf=""; line=""
    repeat 100; do zpty -r -t z line && { buf+=$line; [[ $buf == *READY42* ]] && break; } || sleep 0.05; done
    zpty -n -w z "$2"$'"'\t'"'
    buf=""; quiet=0
    repeat 100; do if zpty -r -t z line; then buf+=$line; quiet=0; else (( ++quiet > 10 )) && break; sleep 0.05; fi; done
    print -r -- "$buf"
    zpty -d z' zsh "$@" | tr -d '\r'
}
check_zsh() {  # fpath-dir
  local dir=$1 got profile
  zsh -n "$dir/_session-manager-plugin" || { fail "zsh: syntax error in _session-manager-plugin"; return; }
  got=$(zsh_complete "$dir" "session-manager-plugin ")
  for word in start-session shell port-forward ssh-proxy list; do
    [[ $got == *"$word"* ]] || { fail "zsh: subcommand $word not offered: $got"; break; }
  done
  got=$(zsh_complete "$dir" "session-manager-plugin shell --profile ")
  for profile in $expected_profiles; do
    [[ $got == *"$profile"* ]] || { fail "zsh: profile $profile not offered: $got"; break; }
  done
  [[ $got != *corp* && $got != *local* ]] || fail "zsh: a config section that is no profile offered: $got"
}

check_bash "$tree/usr/share/bash-completion/completions/session-manager-plugin"
check_bash "plain:$tree/usr/share/bash-completion/completions/session-manager-plugin"
if command -v zsh >/dev/null; then
  check_zsh "$tree/usr/share/zsh/vendor-completions"
  ok "bash and zsh completions"
else
  fail "zsh is not installed (scripts/setup installs it)"
fi

# ---- 4. install ------------------------------------------------------------------------------
# Into the real system only when that changes nothing already there.
mode=extract
if [ "$(id -u)" -eq 0 ]; then
  mode=dpkg
  for package in session-manager-plugin ssm-local-endpoint; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [[ -n $status && $status != *not-installed ]] || [ -e "/usr/bin/$package" ]; then
      echo "test_deb: $package is already on this machine: extracting instead of installing"
      mode=extract
    fi
  done
fi
if [ "$mode" = dpkg ]; then
  # The plugin alone first: it must not need the endpoint's package.
  for deb in "$plugin_deb" "$endpoint_deb"; do
    package=$(field "$deb" Package)
    installed+=("$package")
    dpkg -i "$deb" >"$work/dpkg-i.log" 2>&1 || { cat "$work/dpkg-i.log" >&2; die "dpkg -i $deb"; }
    [ "$(dpkg-query -W -f='${Status}' "$package")" = "install ok installed" ] || die "$package is not installed after dpkg -i"
  done
  prefix=/usr
  owner=$(dpkg -S /usr/bin/session-manager-plugin 2>/dev/null | cut -d: -f1) || true
  [ "$owner" = session-manager-plugin ] || fail "/usr/bin/session-manager-plugin belongs to '$owner', not session-manager-plugin"
  ok "dpkg -i: both packages installed"
  # The completion as bash-completion loads it from its own directory.
  if [ -r /usr/share/bash-completion/bash_completion ]; then check_bash installed; fi
else
  prefix=$tree/usr
  ok "not installing (mode: $mode): running the extracted binaries"
fi
plugin=$prefix/bin/session-manager-plugin
endpoint=$prefix/bin/ssm-local-endpoint

# ---- 5. the installed binaries ---------------------------------------------------------------
got=$(timeout 10 "$plugin" --version) || fail "$plugin --version exited non-zero"
[ "$got" = "$protocol_version" ] || fail "$plugin --version printed '$got', not $protocol_version"
got=$(timeout 10 "$plugin") || fail "$plugin with no arguments exited non-zero"
[[ $got == *"installed successfully"* ]] || fail "$plugin with no arguments printed '$got'"
ok "$plugin --version: $protocol_version"

size=4096
"$endpoint" --port 0 --stream-target "source:$size" >"$work/endpoint.out" 2>"$work/endpoint.err" &
endpoint_pid=$!
for _ in $(seq 100); do grep -q ' ready ' "$work/endpoint.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.* ready .*url=\([^ ]*\).*/\1/p' "$work/endpoint.out")
[ -n "$url" ] || die "ssm-local-endpoint printed no ready line: $(cat "$work/endpoint.out" "$work/endpoint.err")"
request='{"Target":"i-0123456789abcdef0","DocumentName":"AWS-StartSSHSession","Parameters":{"portNumber":["22"]}}'
response=$(curl -sf -X POST "$url/" -H 'X-Amz-Target: AmazonSSM.StartSession' \
  -H 'Content-Type: application/x-amz-json-1.1' -d "$request") || die "StartSession against $url failed"
# As the AWS CLI runs it: the response in AWS_SSM_START_SESSION_RESPONSE; stdin held open (EOF
# would end a stdio session) until the data is in or the plugin is gone, as ssh holds a
# ProxyCommand's.
mkfifo "$work/stdin"
env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_SSM_START_SESSION_RESPONSE="$response" \
  AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
  timeout 60 "$plugin" AWS_SSM_START_SESSION_RESPONSE us-east-1 StartSession "" "$request" "$url" \
  <"$work/stdin" >"$work/out.bin" 2>"$work/plugin.err" &
plugin_pid=$!
exec 3>"$work/stdin"
while kill -0 "$plugin_pid" 2>/dev/null && [ "$(stat -c %s "$work/out.bin" 2>/dev/null || echo 0)" -lt "$size" ]; do
  sleep 0.05
done
exec 3>&-
status=0
wait "$plugin_pid" || status=$?
[ "$status" -eq 0 ] || fail "the session exited $status: $(cat "$work/plugin.err")"
got=$(stat -c %s "$work/out.bin")
[ "$got" -eq "$size" ] || fail "the session delivered $got bytes, not $size"
for _ in $(seq 50); do grep -q ' ended: ' "$work/endpoint.out" && break; sleep 0.1; done
sent=$(sed -n 's/.* ended: .*out_sha256=\([0-9a-f]*\).*/\1/p' "$work/endpoint.out")
received=$(sha256sum <"$work/out.bin" | cut -d' ' -f1)
[ -n "$sent" ] && [ "$sent" = "$received" ] || fail "received SHA-256 $received, the endpoint sent ${sent:-nothing}"
ok "a session through the packaged plugin delivered $got bytes intact"

if [ $failures -gt 0 ]; then
  echo "test_deb: $failures check(s) failed"
  exit 1
fi
echo "test_deb: all checks passed"
