# Shared by the suites that audit for secrets: what counts as a secret in a
# run against mtv-sim, and a search of everything a run wrote.
#
#   secrets_collect PROVIDERS_FILE [FILE...]
#       fill SECRETS (values) and SECRET_NAMES (what each one is, for
#       messages that must not print the value itself) with: every
#       password, token and key in the providers file, the sim's bearer
#       token and kubeadmin password, the client key of its certificate
#       kubeconfig, and the contents of each FILE (a key, a token file);
#       each also in base64, the form a Secret's data holds.
#   secrets_audit PATH...
#       fail naming the secret and the files when any is in any file
#       under the PATHs (names only, never values); on success print
#       "audited N secrets in M files, B bytes" and set AUDIT_FILES.

SECRETS=()
SECRET_NAMES=()

secret_add() {	# secret_add NAME VALUE: the value and its base64 form
	local name=$1 value=$2
	# short values would match by chance (and are not real secrets)
	[ "${#value}" -ge 6 ] || return 0
	SECRETS+=("$value")
	SECRET_NAMES+=("$name")
	SECRETS+=("$(printf '%s' "$value" | base64 -w0)")
	SECRET_NAMES+=("$name (base64)")
}

secrets_collect() {
	local providers=$1 line key value f
	shift
	SECRETS=()
	SECRET_NAMES=()
	# "key": "value" pairs of the providers file whose key names a secret
	while IFS=$'\t' read -r key value; do
		secret_add "providers file $key" "$value"
	done < <(python3 -c '
import json, sys
def walk(o, path):
	if isinstance(o, dict):
		for k, v in o.items():
			p = path + "." + k if path else k
			if isinstance(v, str) and any(w in k.lower() for w in ("password", "token", "secret", "key")) \
			   and not k.lower().endswith(("_user", "name")):
				print(p + "\t" + v)
			else:
				walk(v, p)
	elif isinstance(o, list):
		for i, v in enumerate(o):
			walk(v, "%s[%d]" % (path, i))
walk(json.load(open(sys.argv[1])), "")
' "$providers")
	if [ -n "${SIM_DIR:-}" ]; then
		secret_add "the sim's bearer token" "$(cat "$SIM_DIR/token")"
		secret_add "the kubeadmin password" "$(cat "$SIM_DIR/kubeadmin-password")"
		# the client key: its longest base64 line is unique to it
		line=$(sed -n 's/^ *client-key-data: *//p' "$SIM_DIR/kubeconfig-cert" | base64 -d |
			grep -v '^-----' | awk '{ print length, $0 }' | sort -rn | head -1 | cut -d' ' -f2)
		secret_add "the client certificate's key" "$line"
	fi
	for f in "$@"; do
		if grep -q -- '-----BEGIN' "$f"; then
			line=$(grep -v '^-----' "$f" | awk '{ print length, $0 }' | sort -rn | head -1 | cut -d' ' -f2)
			secret_add "the key in $(basename "$f")" "$line"
		else
			secret_add "the contents of $(basename "$f")" "$(cat "$f")"
		fi
	done
}

secrets_audit() {
	local i hits files bytes bad=()
	files=$(find "$@" -type f 2>/dev/null | wc -l)
	bytes=$(find "$@" -type f -exec cat {} + 2>/dev/null | wc -c)
	[ "${#SECRETS[@]}" -gt 0 ] || { echo "secrets_audit: no secrets collected" >&2; return 1; }
	[ "$files" -gt 0 ] || { echo "secrets_audit: nothing to audit in $*" >&2; return 1; }
	for i in "${!SECRETS[@]}"; do
		hits=$(grep -rlF -- "${SECRETS[$i]}" "$@" 2>/dev/null) || continue
		bad+=("${SECRET_NAMES[$i]} in: $(echo "$hits" | tr '\n' ' ')")
	done
	if [ "${#bad[@]}" -gt 0 ]; then
		printf 'secret found: %s\n' "${bad[@]}" >&2
		return 1
	fi
	# read by the callers
	# shellcheck disable=SC2034
	AUDIT_FILES=$files
	echo "audited ${#SECRETS[@]} secrets in $files files, $bytes bytes"
}
