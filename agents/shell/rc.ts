/**
 * The rcfile of a shell agent's pane. `ca-run TOKEN` runs one job: it claims
 * the job (an O_EXCL file, so a bridge that gives up on a dispatch and the pane
 * can never both win), shows the task, runs it with `bash -c` exactly as
 * written (same semantics and error messages as `bash -c`), tees the output to
 * the task's output file, records the exit code by appending a line to its
 * claim (the artifact the bridge trusts; it also holds tee's status, so that an
 * output file cut short by a full disk is reported, not passed off as the whole
 * output) and prints an invisible OSC marker carrying a per-job nonce, so
 * output that imitates our markers cannot complete a job.
 *
 * ca-run itself runs in the pane's shell, outside any sandbox: it alone reads
 * the dispatch's file (`<token>.job`, job-files.ts) and writes the exit
 * artifact and markers. The task runs in the dispatch's sandbox when it has
 * one (the `bwrap … --` argv in the job file), where the job files are
 * invisible. Values a workflow hands a task (`CA_*=value` entries in the job
 * file) are exported in the task's process only.
 *
 * The prompt marker carries a nonce of this shell (CA_PROMPT_NONCE, set by the
 * bridge for this shell alone and removed from its environment at once), so
 * that a task printing a prompt marker cannot pass for the shell being back.
 *
 * Only builtins run besides the job itself (no fork for reading files or for
 * markers; tee is a builtin too where bash's loadable one is installed).
 * History expansion is off: `echo "a!b"` must mean what it says.
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
PROMPT_COMMAND='[[ -n $__ca_clean ]] || __ca_dirty=1; __ca_clean=; printf "\e]7777;ca;prompt;%s\a" "$__ca_pn"'
__ca_jobs=${dir}
# The pane's state as the launcher left it: each task starts from it, whatever a person attached to the pane
# changed since (cd, export, unset, umask). Taken once here (two forks at start), compared at each dispatch.
__ca_cwd=$PWD
__ca_umask=$(umask)
declare -A __ca_base=()
for __ca_n in $(compgen -e); do __ca_base[$__ca_n]=${"${!__ca_n}"}; done
# tee as a builtin of this bash (bash's loadable tee: Debian's bash-builtins) when one loads and works here: a
# task's output then goes through tee in the pipeline's forked subshell with no exec of /usr/bin/tee, 0.6 ms of
# CPU less per task (1,000 pipelines: 1.43 ms each with /usr/bin/tee, 0.84 ms loading the builtin in each).
# Loaded only in that subshell, so tee typed in this pane stays coreutils'. Checked once here (a fork at start):
# a loadable built for another bash must not take a task's output down with it.
__ca_tee=
for __ca_n in /usr/lib/bash/tee /usr/local/lib/bash/tee /usr/lib64/bash/tee; do
  if [[ -f $__ca_n ]] && (enable -f "$__ca_n" tee && [[ $(printf ok | tee /dev/null) == ok ]]) >/dev/null 2>&1; then
    __ca_tee=$__ca_n
    break
  fi
done
unset __ca_n
# Set by ca-run as it ends; PROMPT_COMMAND clears it. A prompt drawn without it means the shell ran something
# else (a person's command line, an interrupted task), so the next dispatch restores the state first.
__ca_clean=1

ca-run() {
  local __ca_t="$1" __ca_job __ca_nonce __ca_mode __ca_out __ca_nenv __ca_nbox __ca_preview __ca_body __ca_kv __ca_code __ca_i
  local -a __ca_env=() __ca_box=() __ca_st=()
  __ca_job=$__ca_jobs/$__ca_t.job
  if [[ ! -e $__ca_job ]]; then
    printf 'claude-agent: job %s not found\n' "$__ca_t" >&2
    return 1
  fi
  set -C
  { printf 'pane\n' > "$__ca_jobs/$__ca_t.claim"; } 2>/dev/null
  __ca_code=$?
  set +C
  if [[ $__ca_code -ne 0 ]]; then
    printf 'claude-agent: job %s was withdrawn\n' "$__ca_t" >&2
    return 1
  fi
  # The dispatch's one file (shell/job-files.ts): five lines, then NUL-terminated fields. The sandbox argv
  # (bwrap … --) is read here, outside the sandbox; the task's own variables ([issue 11, workflow values],
  # CA_NAME=value) are exported in the task's process only, never in this pane's shell.
  {
    IFS= read -r __ca_nonce && IFS= read -r __ca_mode && IFS= read -r __ca_out && IFS= read -r __ca_nenv && IFS= read -r __ca_nbox
    IFS= read -r -d '' __ca_preview
    for ((__ca_i = 0; __ca_i < __ca_nenv; __ca_i++)); do
      IFS= read -r -d '' __ca_kv
      [[ $__ca_kv =~ ^CA_[A-Z0-9_]+= ]] && __ca_env+=("$__ca_kv")
    done
    for ((__ca_i = 0; __ca_i < __ca_nbox; __ca_i++)); do
      IFS= read -r -d '' __ca_kv && __ca_box+=("$__ca_kv")
    done
    [[ $__ca_mode == arg ]] && IFS= read -r -d '' __ca_body
  } < "$__ca_job"
  [[ $PWD == "$__ca_cwd" ]] || builtin cd -- "$__ca_cwd"
  [[ -z $__ca_dirty ]] || __ca_restore
  printf '\e]7777;ca;begin;%s;%s\a' "$__ca_t" "$__ca_nonce"
  printf '\e[2m%s\e[0m\n' "$__ca_preview"
  if [[ $__ca_mode == arg ]]; then
    { __ca_export; exec "${"${__ca_box[@]}"}" bash -c "$__ca_body"; } 2>&1 | __ca_save "$__ca_out"
  else
    { __ca_export; exec "${"${__ca_box[@]}"}" bash -- "$__ca_jobs/$__ca_t.sh"; } 2>&1 | __ca_save "$__ca_out"
  fi
  __ca_st=(${"${PIPESTATUS[@]}"})
  __ca_code=${"${__ca_st[0]}"}
  # The claim's second line, one write: the exit code, then tee's status (not 0 when the output file could not be
  # written in full: a full disk). Appended to the file the claim made, so a dispatch makes one file in the pane.
  printf 'end %s %s\n' "$__ca_code" "${"${__ca_st[1]}"}" >> "$__ca_jobs/$__ca_t.claim"
  printf '\e]7777;ca;end;%s;%s;%s;%s\a' "$__ca_t" "$__ca_nonce" "$__ca_code" "${"${__ca_st[1]}"}"
  __ca_clean=1
}

# Undoes what a person changed in this shell: exported variables added, changed or removed, the umask.
# The cwd is checked at every dispatch (a builtin test). Exported functions are not undone.
__ca_restore() {
  local __ca_n
  for __ca_n in $(compgen -e); do [[ -v __ca_base[$__ca_n] ]] || unset -v "$__ca_n" 2>/dev/null; done
  for __ca_n in "${"${!__ca_base[@]}"}"; do export "$__ca_n=${"${__ca_base[$__ca_n]}"}"; done
  umask "$__ca_umask"
  __ca_dirty=
}

# The pipeline's reading end, in its own forked subshell: the task's output to the pane and to its output file.
__ca_save() {
  [[ -z $__ca_tee ]] || enable -f "$__ca_tee" tee 2>/dev/null
  tee -- "$1"
}

# Runs in the task's subshell, before it execs the task: exports the dispatch's variables there alone.
__ca_export() {
  local __ca_kv
  for __ca_kv in "${"${__ca_env[@]}"}"; do export "$__ca_kv"; done
}
`;
}
