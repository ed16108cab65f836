import json, random, sys
random.seed(int(sys.argv[1])); N = int(sys.argv[2])
def gostr(s): return json.dumps(s, ensure_ascii=False)
SCAL = ['1', '0', '-2', '2.5', '1e6', '""', '"a"', '"B c"', 'true', 'false', 'nil', '.f', '.zero', '.s', '.big', '.neg', '"1"', '(list)', '(dict)', '.nums', '.map', '.missing', '(until 2)', '(splitList "," "x,y")', '(split "," "x,y")']
def val(): return random.choice(SCAL)
ATOMS = ["a", "b", ".", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "[a-c]", "[^a]", "[\\d]", "[\\w-]", "[.]", "\\.", "\\b", "^", "$", "(?i)", "é", "[[:digit:]]", "\\pL", "\\p{Greek}", "x", "-", "[a-]", "[]a]", "\\$", "\\\\"]
def regex():
    parts = []
    for _ in range(random.randint(1, 4)):
        a = random.choice(ATOMS)
        r = random.random()
        if r < 0.2: a += random.choice(["*", "+", "?", "{2}", "{1,}", "*?", "+?"])
        if r > 0.9: a = "(" + a + ")"
        parts.append(a)
    if random.random() < 0.15: parts.insert(random.randint(0, len(parts)), random.choice(["|", "(", ")", "[", "*", "\\q", "{", "}"]))
    return "".join(parts)
def rstr(): return "".join(random.choice(list("abcxyzAB019 .-_$é\\\t\nΩω")) for _ in range(random.randint(0, 10)))
def case():
    k = random.random()
    if k < 0.30:
        f = random.choice(["regexMatch", "mustRegexMatch", "regexFindAll", "regexReplaceAll", "mustRegexReplaceAll", "regexSplit", "mustRegexFind"])
        if f in ("regexFindAll", "regexSplit"): return f"{{{{ {f} {gostr(regex())} {gostr(rstr())} -1 }}}}"
        if "Replace" in f: return f"{{{{ {f} {gostr(regex())} {gostr(rstr())} {gostr(random.choice(['<$0>', '[$1]', '${1}x', '-']))} }}}}"
        return f"{{{{ {f} {gostr(regex())} {gostr(rstr())} }}}}"
    if k < 0.40:
        f = random.choice(["quote", "squote", "cat", "coalesce", "all", "any", "list", "tuple"])
        return f"{{{{ {f} {' '.join(val() for _ in range(random.randint(0, 3)))} }}}}"
    if k < 0.50:
        f = random.choice(["typeOf", "kindOf", "toString", "empty", "toJson", "deepCopy", "int", "float64", "toStrings", "sortAlpha", "join \",\""])
        return f"{{{{ {f} {val()} }}}}"
    if k < 0.58:
        return f"{{{{ deepEqual {val()} {val()} }}}} {{{{ default {val()} {val()} }}}} {{{{ ternary {val()} {val()} {random.choice(['true','false'])} }}}}"
    if k < 0.66:
        f = random.choice(["until", "untilStep", "seq"])
        if f == "until": return f"{{{{ until {random.randint(-5, 6)} }}}}"
        n = 3 if f == "untilStep" else random.randint(0, 4)
        return f"{{{{ {f} {' '.join(str(random.randint(-6, 8)) for _ in range(n))} }}}}"
    if k < 0.72:
        return f"{{{{ round {val()} {random.randint(-1, 3)} }}}} {{{{ round {round(random.uniform(-10,10),4)} {random.randint(0,3)} {random.choice([0.1,0.5,0.9])} }}}}"
    if k < 0.80:
        d = random.choice(["1h", "90m", "-3s", "1.5h", "2h45m30.5s", "300ms", "1us", "1µs", "0", "", "x", "1d", "100000h", "59.9s", "61m", "25h", "721h", "8761h"])
        return f"{{{{ durationRound {gostr(d)} }}}} {{{{ duration {gostr(str(random.randint(-4000, 400000)))} }}}}"
    if k < 0.88:
        v = random.choice(["1.2.3", "v1.2.3-rc.1+b", "0.0.1", "2", "1.2"])
        m = random.choice(["Major", "Minor", "Patch", "Prerelease", "Metadata", "Original", "String", "IncMajor", "IncMinor", "IncPatch"])
        return f"{{{{ (semver {gostr(v)}).{m} }}}}"
    if k < 0.94:
        d = "(dict \"a\" 1 \"b\" (dict \"c\" 2))"
        f = random.choice([f'get {d} "a"', f'get {d} "z"', f'hasKey {d} "b"', f'unset {d} "a"', f'set {d} "z" {val()}', f'keys {d} (dict "q" 1) | sortAlpha', f'values {d} | len', f'pluck "a" {d} (dict "a" 5)'])
        return f"{{{{ {f} }}}}"
    return f"{{{{ {random.choice(['snakecase','kebabcase','camelcase','title','swapcase','initials','untitle','nospace','abbrev 5','wrap 4','trunc 3','substr 1 4'])} {gostr(rstr())} }}}}"
data = {'f':1.5,'big':1000000,'list':['a','b'],'emptylist':[],'emptymap':{},'map':{'a':1,'b':'x'},'nested':{'a':{'b':'found','c':{'d':1}}},'port':80,'neg':-3.7,'zero':0,'s':'8080','nums':[1,2,3]}
seen = set()
while len(seen) < N:
    t = case()
    if t in seen: continue
    seen.add(t)
    print(json.dumps({'t': t, 'd': data}, ensure_ascii=False))
