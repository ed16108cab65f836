import json, random, sys
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
ALPH = list("abcXYZ019 _-.:/,$@\t") + ["é", "ß", "İ", "ǅ", "😀", "Ω", "  ", "\n", "HTTP", "Server", "2xx", "ID", "a1B2", "__", "--"]
def rstr(maxlen=8):
    return "".join(random.choice(ALPH) for _ in range(random.randint(0, maxlen)))
def gostr(s):
    return json.dumps(s, ensure_ascii=False)
NUMSTR = ["0x1F", "1e3", "08", " 5", "1_000", "-0", "+3", "3.0", "3.5", "abc", "", "0b101", "0o17", "9999999999999999999", "-12", "1.", ".5", "Inf", "NaN", "0x", "1__0"]
def rnum():
    k = random.random()
    if k < 0.3: return str(random.randint(-50, 50))
    if k < 0.5: return repr(round(random.uniform(-100, 100), random.randint(0, 3)))
    if k < 0.7: return gostr(random.choice(NUMSTR))
    if k < 0.8: return random.choice(["true", "false", "nil"])
    if k < 0.9: return random.choice([".f", ".port", ".neg", ".zero", ".s", ".big"])
    return "(list 1 2)"
REGEX = ["a+", "[a-z]+", "\\d+", "\\w+", "\\s+", "^a", "a$", "(a)(b)?", "(?i)x", "é|ß", ".", "", "x*", "[^a-z]", "(?P<n>\\w)", "\\b\\w", "[[:alpha:]]+", "[\\d.]+", "a{2,}", "(ab|a)", "\\.", "[-_]"]
REPL = ["X", "$1", "${1}", "$1x", "$$", "$n", "${n}", "[$0]", "", "\\1", "$"]
def rint(lo=-3, hi=12): return str(random.randint(lo, hi))
def ver():
    parts = [str(random.choice([0, 1, 2, 10, 21])) for _ in range(random.randint(1, 3))]
    v = ("v" if random.random() < 0.2 else "") + ".".join(parts)
    if random.random() < 0.3: v += "-" + random.choice(["0", "alpha", "rc.1", "beta.2", "gke.100", "eks-1a2b", "01"])
    if random.random() < 0.1: v += "+" + random.choice(["b1", "meta.x"])
    if random.random() < 0.05: v = random.choice(["", "x", "1.2.3.4", "a.b"])
    return v
def cver():
    parts = [random.choice(["0", "1", "2", "10", "21", "x", "*"]) for _ in range(random.randint(1, 3))]
    v = ".".join(parts)
    if random.random() < 0.3: v += "-" + random.choice(["0", "alpha", "rc.1"])
    return v
def constraint():
    k = random.random()
    op = lambda: random.choice(["", "=", "!=", ">", "<", ">=", "<=", "~", "^", "=>", "=<", "~>"])
    sp = lambda: random.choice(["", " "])
    if k < 0.6: c = op() + sp() + cver()
    elif k < 0.75: c = op() + cver() + random.choice([", ", " "]) + op() + cver()
    elif k < 0.85: c = cver() + " - " + cver()
    else: c = op() + cver() + " || " + op() + cver()
    return c
def case():
    k = random.random()
    s = lambda: gostr(rstr())
    if k < 0.25:
        f = random.choice(["trim", "upper", "lower", "title", "untitle", "nospace", "initials", "swapcase", "snakecase", "kebabcase", "camelcase", "b64enc", "b32enc", "sha1sum", "adler32sum", "quote", "squote", "toString", "regexQuoteMeta", "base", "dir", "ext", "clean", "isAbs", "toStrings", "toJson", "toRawJson", "len"])
        return f"{{{{ {f} {s()} }}}}"
    if k < 0.40:
        f = random.choice(["trunc", "abbrev", "repeat", "indent", "nindent", "wrap"])
        return f"{{{{ {f} {rint()} {s()} }}}}"
    if k < 0.45:
        return f"{{{{ substr {rint(-2,8)} {rint(-2,10)} {s()} }}}}"
    if k < 0.55:
        f = random.choice(["trimAll", "trimSuffix", "trimPrefix", "contains", "hasPrefix", "hasSuffix", "splitList", "split"])
        return f"{{{{ {f} {gostr(random.choice([rstr(2), rstr(1), ',', ' ', '']))} {s()} }}}}"
    if k < 0.62:
        return f"{{{{ replace {gostr(rstr(2))} {gostr(rstr(2))} {s()} }}}}"
    if k < 0.72:
        f = random.choice(["regexMatch", "regexFind", "regexReplaceAll", "regexReplaceAllLiteral", "regexFindAll", "regexSplit", "mustRegexFind"])
        re = gostr(random.choice(REGEX))
        if f in ("regexReplaceAll", "regexReplaceAllLiteral"):
            return f"{{{{ {f} {re} {s()} {gostr(random.choice(REPL))} }}}}"
        if f in ("regexFindAll", "regexSplit"):
            return f"{{{{ {f} {re} {s()} {rint(-1,3)} }}}}"
        return f"{{{{ {f} {re} {s()} }}}}"
    if k < 0.82:
        f = random.choice(["int", "int64", "float64", "toString", "empty", "atoi", "add1", "floor", "ceil", "toDecimal"])
        a = rnum()
        if f == "atoi": a = gostr(random.choice(NUMSTR))
        return f"{{{{ {f} {a} }}}}"
    if k < 0.90:
        f = random.choice(["add", "sub", "mul", "div", "mod", "max", "min", "addf", "subf", "mulf", "divf", "maxf", "minf"])
        n = 2 if f in ("sub", "div", "mod") else random.randint(1, 3)
        return f"{{{{ {f} {' '.join(rnum() for _ in range(n))} }}}}"
    return f"{{{{ semverCompare {gostr(constraint())} {gostr(ver())} }}}}"
data = {'f':1.5,'big':1000000,'list':['a','b'],'emptylist':[],'emptymap':{},'map':{'a':1,'b':'x'},'nested':{'a':{'b':'found','c':{'d':1}}},'port':80,'neg':-3.7,'zero':0,'s':'8080','nums':[1,2,3]}
seen = set()
while len(seen) < N:
    t = case()
    if t in seen: continue
    seen.add(t)
    print(json.dumps({'t': t, 'd': data}, ensure_ascii=False))
