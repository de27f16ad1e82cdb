/**
 * Secret redaction for everything we store or show (results, events, log
 * lines, the stored task text, workflow params and questions). The agent's
 * own pane, the run's job files and the output file are left untouched.
 *
 * Linear time: every shape either has bounded quantifiers or starts only at
 * the beginning of a run of its characters (a negative lookbehind), so no
 * input makes a shape rescan the same text from many starting points.
 */
export type Redactor = (text: string) => string;

export const REDACTED = "[redacted]";

/** Characters of a token: a shape starting inside a run of them would rescan the run from every position. */
const TOKEN_START = "(?<![A-Za-z0-9_-])";

/**
 * Whole-match shapes: the match is replaced by REDACTED. A repeat is written
 * `X{20}X*`, never `X{20,}`: on a 10 MB run V8 overflows its stack on the
 * latter (RangeError) and copes with the former in milliseconds.
 */
const KEY_SHAPES: readonly RegExp[] = [
  new RegExp(`${TOKEN_START}sk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*`, "g"),
  new RegExp(`${TOKEN_START}gh[pousr]_[A-Za-z0-9]{30}[A-Za-z0-9]*`, "g"),
  new RegExp(`${TOKEN_START}github_pat_[A-Za-z0-9_]{30}[A-Za-z0-9_]*`, "g"),
  new RegExp(`${TOKEN_START}glpat-[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*`, "g"),
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  new RegExp(`${TOKEN_START}xox[abposr]-[A-Za-z0-9-]{10}[A-Za-z0-9-]*`, "g"),
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  new RegExp(`${TOKEN_START}eyJ[A-Za-z0-9_-]{8}[A-Za-z0-9_-]*\\.eyJ[A-Za-z0-9_-]{8}[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]{8}[A-Za-z0-9_-]*`, "g"),
  /(?<=\b[Bb]earer[ \t]{1,8})[A-Za-z0-9._~+/-]{16}[A-Za-z0-9._~+/-]*=*/g,
  /(?<=\b[Bb]asic[ \t]{1,8})[A-Za-z0-9+/]{12}[A-Za-z0-9+/]*={0,2}/g,
];

const PEM_BEGIN = "-----BEGIN ";
const PEM_HEADER = /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----/y;
const PEM_FOOTER = /-----END [A-Z ]{0,40}PRIVATE KEY-----/y;
const BASE64_RUN = /[A-Za-z0-9+/=\r\n]*/y;

/**
 * Private key blocks, found by hand rather than by one regex (a body loop
 * overflows V8's stack on megabytes): from each header to its footer, or,
 * for a block cut short (output keeps only its head and tail), over the
 * base64 that follows the header. Each body is scanned once: it ends at the
 * next "-----".
 */
function redactPem(text: string): string {
  let at = text.indexOf(PEM_BEGIN);
  if (at < 0) return text;
  let out = "";
  let last = 0;
  while (at >= 0) {
    PEM_HEADER.lastIndex = at;
    if (!PEM_HEADER.test(text)) {
      at = text.indexOf(PEM_BEGIN, at + 1);
      continue;
    }
    const body = PEM_HEADER.lastIndex;
    const next = text.indexOf("-----", body);
    PEM_FOOTER.lastIndex = next;
    let end: number;
    if (next >= 0 && PEM_FOOTER.test(text)) end = PEM_FOOTER.lastIndex;
    else {
      BASE64_RUN.lastIndex = body;
      BASE64_RUN.test(text);
      end = BASE64_RUN.lastIndex;
    }
    out += text.slice(last, at) + REDACTED;
    last = end;
    at = text.indexOf(PEM_BEGIN, end);
  }
  return out + text.slice(last);
}

/**
 * Credentials in a URL (`postgres://app:pw@db/x`): the password goes, the
 * scheme, user and host stay, so a person still sees where it pointed.
 */
const URL_PASSWORD = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s:/?#@"'<>]{0,256}:)[^\s/?#@"'<>]{1,256}(?=@)/g;

/**
 * `name=value` and `name: value` where the name says secret (`password=…`,
 * `GITHUB_TOKEN=…`, `"api_key": "…"`, `aws_secret_access_key = …`): the value
 * goes. The name must end with the keyword (`outputTokens: 12` is not one).
 * References (`$TOKEN`, `${TOKEN}`), placeholders and short words stay.
 */
const ASSIGNMENT = new RegExp(
  "(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{0,40}?(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?|client[_-]?secret)" +
    "[\"']?[ \\t]{0,8}[:=][ \\t]{0,8})" +
    "(?:\"([^\"\\n]{1,512})\"|'([^'\\n]{1,512})'|([^\\s\"'`,;&|<>(){}\\[\\]]{3,4096}))",
  "gi",
);

const PLACEHOLDER = /^(?:none|null|nil|true|false|yes|undefined|empty|required|optional|string|changeme|xxx+|\*+|\.\.\.|…|<[^>]*>|\$.*|%.*%)$/i;

/** Names of environment variables whose values are treated as secrets. */
export const SECRET_NAME = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE)/i;

const MIN_SECRET_LENGTH = 6;

/** Builds a redactor for the given secret values plus the well-known shapes. */
export function makeRedactor(secrets: Iterable<string> = []): Redactor {
  const values = [...new Set([...secrets].filter((v) => typeof v === "string" && v.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  return (text) => {
    if (!text) return text;
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return redactShapes(out);
  };
}

/** The well-known shapes only: for text from anywhere, with no swarm at hand. */
export function redactShapes(text: string): string {
  if (!text) return text;
  let out = redactPem(text);
  for (const shape of KEY_SHAPES) out = out.replace(shape, REDACTED);
  out = out.replace(URL_PASSWORD, `$1${REDACTED}`);
  return out.replace(ASSIGNMENT, (whole: string, head: string, double?: string, single?: string, bare?: string) => {
    const value = double ?? single ?? bare ?? "";
    if (value === REDACTED || PLACEHOLDER.test(value.trim())) return whole;
    return double !== undefined ? `${head}"${REDACTED}"` : single !== undefined ? `${head}'${REDACTED}'` : `${head}${REDACTED}`;
  });
}

/** Secret values from an environment: the values of variables named like secrets. */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === "string")
    .map(([, value]) => value as string);
}

/** The redactor of a swarm: secrets from its agents' env and from this process's own environment. */
export function swarmRedactor(
  agentEnvs: Iterable<Readonly<Record<string, string>>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Redactor {
  const values = secretValues(env);
  for (const agentEnv of agentEnvs) values.push(...secretValues(agentEnv ?? {}));
  return makeRedactor(values);
}

/**
 * A copy of a JSON-like value with every string redacted (an execution's params, questions and outputs,
 * for display and events); a string under a key named like a secret (`db_password`, `api_token`) is
 * replaced whole, whatever its shape.
 */
export function redactValues<T>(value: T, redact: Redactor = redactShapes): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactValues(item, redact)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = typeof item === "string" && item !== "" && SECRET_NAME.test(key) ? REDACTED : redactValues(item, redact);
    }
    return out as T;
  }
  return value;
}
