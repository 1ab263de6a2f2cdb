"""Check the /login location in `nginx -T` output: one `return 302 URL;`, nothing else.

usage: nginx -T ... | check_login_return.py URL

The configuration is read with nginx's own rules (ngx_conf_read_token): words end at
whitespace, `;` or `{`; `#` at the start of a word begins a comment; quoted strings take
`\\"`, `\\'`, `\\\\`, `\\t`, `\\r`, `\\n` escapes; a closing quote must be followed by
whitespace, `;` or `{`. Then the single `location = /login` block must hold exactly one
`return` directive, with exactly two arguments: `302` and a value that nginx expands
to URL. The only variables it may use are ones the configuration defines as constants
with `geo $name { default "..."; }` (the role's literal `$`); any other variable would be
API text evaluated by nginx.
Exits non-zero with a message when anything differs.
"""

import re
import sys

SPACE = " \t\r\n"
ESCAPES = {'"': '"', "'": "'", "\\": "\\", "t": "\t", "r": "\r", "n": "\n"}


class ConfigError(Exception):
    pass


def tokens(text):
    """Yield ('word', text) and ('punct', ';' | '{' | '}') as nginx reads them."""
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char in SPACE:
            i += 1
        elif char == "#":
            newline = text.find("\n", i)
            i = end if newline < 0 else newline + 1
        elif char in ";{}":
            yield "punct", char
            i += 1
        elif char in "\"'":
            word, i = read_word(text, i + 1, quote=char)
            if i < end and text[i] not in SPACE + ";{":
                raise ConfigError("unexpected %r after a quoted string" % text[i])
            yield "word", word
        else:
            word, i = read_word(text, i)
            yield "word", word


def read_word(text, i, quote=None):
    """Read one word from text[i:]; return it unescaped and the index after it."""
    out = []
    while True:
        if i >= len(text):
            if quote:
                raise ConfigError("unterminated quoted string")
            return "".join(out), i
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        if quote:
            if char == quote:
                return "".join(out), i + 1
        elif char in SPACE + ";" or (char == "{" and not (out and out[-1].endswith("$"))):
            return "".join(out), i
        out.append(char)
        i += 1


def parse(stream, closing=False):
    """Directives as (name, args, block or None) down to the matching `}`."""
    directives, words = [], []
    for kind, value in stream:
        if kind == "word":
            words.append(value)
        elif value == ";":
            if not words:
                raise ConfigError("empty directive")
            directives.append((words[0], words[1:], None))
            words = []
        elif value == "{":
            if not words:
                raise ConfigError("block without a directive")
            directives.append((words[0], words[1:], parse(stream, closing=True)))
            words = []
        else:
            if words or not closing:
                raise ConfigError("unexpected }")
            return directives
    if words or closing:
        raise ConfigError("unexpected end of the configuration")
    return directives


def walk(directives):
    for directive in directives:
        yield directive
        if directive[2] is not None:
            yield from walk(directive[2])


def expand(value, constants):
    """Expand $name and ${name} as nginx would, from constants only."""
    def variable(match):
        name = match.group(1) or match.group(2)
        if not name:
            raise ConfigError("a `$` that starts no variable name in %r" % value)
        if name not in constants:
            raise ConfigError("the URL uses the variable $%s, which is not a constant" % name)
        return constants[name]

    return re.sub(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))?", variable, value)


def main():
    expected = sys.argv[1]
    try:
        config = parse(iter(tokens(sys.stdin.read())))
        everything = list(walk(config))
        constants = {}
        for name, args, block in everything:
            if name == "geo" and len(args) == 1 and args[0].startswith("$") and block is not None:
                defaults = [d_args for d_name, d_args, _block in block if d_name == "default"]
                if defaults == [defaults[0]] and len(defaults[0]) == 1:
                    constants[args[0][1:]] = defaults[0][0]
        logins = [block for name, args, block in everything
                  if name == "location" and args == ["=", "/login"] and block is not None]
        if len(logins) != 1:
            raise ConfigError("%d `location = /login` blocks, expected 1" % len(logins))
        returns = [args for name, args, _block in walk(logins[0]) if name == "return"]
        if len(returns) != 1:
            raise ConfigError("%d return directives in /login, expected 1: %r" % (len(returns), returns))
        if len(returns[0]) != 2 or returns[0][0] != "302":
            raise ConfigError("return has the arguments %r, expected 302 and the URL" % (returns[0],))
        got = expand(returns[0][1], constants)
        if got != expected:
            raise ConfigError("return 302 sends %r, expected %r" % (got, expected))
    except ConfigError as exc:
        sys.exit("check_login_return: %s" % exc)
    print("check_login_return: /login has one return 302 %r" % expected)


if __name__ == "__main__":
    main()
