/**
 * The rcfile of a shell agent's pane. `ca-run TOKEN` runs one job: it claims
 * the job (an O_EXCL file, so a bridge that gives up on a dispatch and the pane
 * can never both win), shows the task, runs it with `bash -c` exactly as
 * written (same semantics and error messages as `bash -c`), tees the output to
 * the task's output file, records the exit code in a file (the artifact the
 * bridge trusts; its second line is tee's status, so that an output file cut
 * short by a full disk is reported, not passed off as the whole output) and
 * prints an invisible OSC marker carrying a per-job nonce, so output that
 * imitates our markers cannot complete a job.
 *
 * ca-run itself runs in the pane's shell, outside any sandbox: it alone reads
 * the job files and writes the exit artifact and markers. The task runs in
 * the dispatch's sandbox when it has one (`<token>.box`: the `bwrap … --`
 * argv, NUL-separated), where the job files are invisible. Values a workflow
 * hands a task (`<token>.env`: NUL-separated `CA_*=value` pairs) are exported
 * in the task's process only.
 *
 * The prompt marker carries a nonce of this shell (CA_PROMPT_NONCE, set by the
 * bridge for this shell alone and removed from its environment at once), so
 * that a task printing a prompt marker cannot pass for the shell being back.
 *
 * Only builtins run besides the job itself (no fork for reading files or for
 * markers). History expansion is off: `echo "a!b"` must mean what it says.
 */
export const MAX_ARG_BYTES = 120_000;

export function shellRc(jobsDir: string): string {
  const dir = JSON.stringify(jobsDir);
  return String.raw`# claude-agent shell agent (generated; edits are overwritten)
set +H
HISTFILE=/dev/null
HISTCONTROL=ignorespace
__ca_session=$CA_SESSION
__ca_pn=$CA_PROMPT_NONCE
unset CA_SESSION CA_PROMPT_NONCE
PS1='\[\e[1;36m\]${"${__ca_session}"}\[\e[0m\]:\[\e[34m\]\W\[\e[0m\]\$ '
PROMPT_COMMAND='printf "\e]7777;ca;prompt;%s\a" "$__ca_pn"'
__ca_jobs=${dir}

# [issue 11, workflow values] The task's own variables (jobs/<token>.env, NUL-separated NAME=value), exported
# inside the pipeline's subshell only, which then execs the task: they never reach this pane's shell, a later
# task or a person attached to the pane. Builtins only; a name other than CA_[A-Z0-9_]+ is skipped.
__ca_env() {
  local __ca_kv
  [[ -f "$__ca_jobs/$1.env" ]] || return 0
  while IFS= read -r -d '' __ca_kv; do
    [[ $__ca_kv =~ ^CA_[A-Z0-9_]+= ]] && export "$__ca_kv"
  done < "$__ca_jobs/$1.env"
}

ca-run() {
  local __ca_t="$1" __ca_nonce __ca_mode __ca_out __ca_body __ca_code __ca_preview __ca_st
  local -a __ca_box=()
  {
    IFS= read -r __ca_nonce && IFS= read -r __ca_mode && IFS= read -r __ca_out
  } < "$__ca_jobs/$__ca_t.meta" 2>/dev/null || {
    printf 'claude-agent: job %s not found\n' "$__ca_t" >&2
    return 1
  }
  set -C
  { printf 'pane\n' > "$__ca_jobs/$__ca_t.claim"; } 2>/dev/null
  __ca_code=$?
  set +C
  if [[ $__ca_code -ne 0 ]]; then
    printf 'claude-agent: job %s was withdrawn\n' "$__ca_t" >&2
    return 1
  fi
  # The sandbox this dispatch's task runs in (bwrap … --), read here, outside it; no file: unsandboxed.
  [[ -e $__ca_jobs/$__ca_t.box ]] && mapfile -d '' -t __ca_box < "$__ca_jobs/$__ca_t.box"
  printf '\e]7777;ca;begin;%s;%s\a' "$__ca_t" "$__ca_nonce"
  IFS= read -r -d '' __ca_preview < "$__ca_jobs/$__ca_t.preview"
  printf '\e[2m%s\e[0m\n' "$__ca_preview"
  if [[ $__ca_mode == arg ]]; then
    IFS= read -r -d '' __ca_body < "$__ca_jobs/$__ca_t.sh"
    { __ca_env "$__ca_t"; exec "${"${__ca_box[@]}"}" bash -c "$__ca_body"; } 2>&1 | tee -- "$__ca_out"
  else
    { __ca_env "$__ca_t"; exec "${"${__ca_box[@]}"}" bash -- "$__ca_jobs/$__ca_t.sh"; } 2>&1 | tee -- "$__ca_out"
  fi
  __ca_st=(${"${PIPESTATUS[@]}"})
  __ca_code=${"${__ca_st[0]}"}
  # Line 2: tee's status; not 0 when the output file could not be written in full (a full disk).
  printf '%s\n%s\n' "$__ca_code" "${"${__ca_st[1]}"}" > "$__ca_jobs/$__ca_t.exit"
  printf '\e]7777;ca;end;%s;%s;%s;%s\a' "$__ca_t" "$__ca_nonce" "$__ca_code" "${"${__ca_st[1]}"}"
}
`;
}
