#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the postable patch series (make series).

Development keeps its two halves apart: the hooks in the kernel's own files
are patches/*.patch (hooks only, listed in patches/series), our own files
(mm/*.c, mm/private_node.h, include/linux/private_node.h) are edited in
place. This script joins them into one series against pristine
linux-source-6.12 in which each of our files is created, and grown, by the
patches that introduce its parts:

  * every file is cut into top-level items: a paragraph (lines up to a blank
    line outside braces and comments, a leading comment belongs to what
    follows it) or a preprocessor conditional line;
  * an item's key is the name it defines (function, macro, struct, the
    first argument of a DEFINE_*() macro), the same for a declaration and
    its !CONFIG stub;
  * patches/layout says which patch creates each file and which patch adds
    each item introduced later; an item not listed comes with the file;
  * the state of a file after patch n is its items of patches <= n in their
    order in the file (a conditional shows only around emitted items), so
    the last state is the file as it is.

Each patch becomes a commit on a partial pristine tree (the files the series
touches); `git format-patch --cover-letter` writes the series with the
identity and sign-off of patches/identity and the cover letter text of
patches/cover-letter.

usage: series.py OUTDIR [--keys]   (--keys: print every item's key and patch)
"""
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARBALL = '/usr/src/linux-source-6.12.tar.xz'
PKGDIR = 'linux-source-6.12'
OURS = ['include/linux/private_node.h', 'mm/private_node.h', 'mm/private_node.c',
        'mm/private_node_driver.c', 'mm/cram.c']

PP = re.compile(r'\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b')
KEYWORDS = {'if', 'for', 'while', 'switch', 'return', 'sizeof', 'static', 'inline',
            'struct', 'enum', 'union', 'const', 'unsigned', 'int', 'bool', 'void',
            'long', 'extern', '__init', 'typeof'}


def die(msg):
    sys.stderr.write('series: %s\n' % msg)
    sys.exit(1)


class Item:
    def __init__(self, kind, lines):
        self.kind = kind        # 'para' or 'pp'
        self.lines = lines      # including the blank lines that follow it
        self.key = None
        self.patch = None


def scan_depth(line, depth, in_comment):
    """Brace depth and comment state after @line (strings are rare here)."""
    i = 0
    while i < len(line):
        two = line[i:i + 2]
        if in_comment:
            if two == '*/':
                in_comment = False
                i += 2
                continue
        elif two == '/*':
            in_comment = True
            i += 2
            continue
        elif two == '//':
            break
        elif line[i] in '"\'':
            q = line[i]
            i += 1
            while i < len(line) and line[i] != q:
                i += 2 if line[i] == '\\' else 1
        elif line[i] == '{':
            depth += 1
        elif line[i] == '}':
            depth -= 1
        i += 1
    return depth, in_comment


def split_items(text):
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    items, cur, depth, in_comment = [], [], 0, False
    for line in lines:
        top = depth == 0 and not in_comment
        if top and PP.match(line):
            if cur:
                items.append(Item('para', cur))
                cur = []
            items.append(Item('pp', [line]))
            continue
        if top and line.strip() == '':
            if cur:
                cur.append(line)
            elif items:
                items[-1].lines.append(line)
            else:
                cur.append(line)
            continue
        if cur and cur[-1].strip() == '' and top:
            items.append(Item('para', cur))
            cur = []
        cur.append(line)
        depth, in_comment = scan_depth(line, depth, in_comment)
    if cur:
        items.append(Item('para', cur))
    # a comment-only paragraph belongs to the paragraph after it
    merged = []
    pending = []
    for it in items:
        if it.kind == 'para' and all(
                l.strip() == '' or l.lstrip().startswith(('/*', '*', '//')) for l in it.lines):
            pending.extend(it.lines)
            continue
        if pending:
            if it.kind == 'para':
                it.lines = pending + it.lines
            else:
                merged.append(Item('para', pending))
            pending = []
        merged.append(it)
    if pending:
        merged.append(Item('para', pending))
    for it in merged:
        it.key = item_key(it)
    return merged


def item_key(it):
    if it.kind == 'pp':
        return None
    code = []
    in_comment = False
    for l in it.lines:
        s = l.strip()
        if in_comment:
            if '*/' in s:
                in_comment = False
            continue
        if s.startswith('/*'):
            if '*/' not in s:
                in_comment = True
            continue
        if s.startswith('//') or not s:
            continue
        code.append(s)
    if not code:
        return 'comment'
    first = code[0]
    if first.startswith('#include'):
        return 'includes'
    m = re.match(r'#\s*define\s+(\w+)', first)
    if m:
        return m.group(1)
    m = re.match(r'(?:static\s+)?(struct|enum|union)\s+(\w+)\s*\{?\s*$', first)
    if m:
        return '%s %s' % (m.group(1), m.group(2))
    joined = ' '.join(code[:3])
    for m in re.finditer(r'\b([A-Za-z_]\w*)\s*\(', joined):
        name = m.group(1)
        if name in KEYWORDS:
            continue
        if re.match(r'^(DEFINE|DECLARE)_\w+$', name) or name.isupper():
            arg = re.match(r'\s*([A-Za-z_]\w*)', joined[m.end():])
            if arg:
                return arg.group(1)
        return name
    m = re.search(r'([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*(=.*)?;', first)
    if m:
        return m.group(1)
    return first


def read_layout(order):
    created, items = {}, {}
    path = os.path.join(TOP, 'patches', 'layout')
    for n, raw in enumerate(open(path), 1):
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        f = line.split()
        if f[0] == 'file' and len(f) == 3:
            created[f[1]] = f[2]
        elif f[0] == 'item' and len(f) >= 4:
            items[(f[1], ' '.join(f[2:-1]))] = f[-1]
        else:
            die('patches/layout:%d: cannot parse "%s"' % (n, raw.rstrip()))
        if f[-1] not in order:
            die('patches/layout:%d: no patch %s in patches/series' % (n, f[-1]))
    return created, items


def render(items, upto, order):
    """The file after patch @upto, or None if it does not exist yet."""
    rank = {p: i for i, p in enumerate(order)}
    lim = rank[upto]
    emit = [it.kind == 'para' and rank[it.patch] <= lim for it in items]
    if not any(emit):
        return None
    # conditionals: shown when an emitted item is inside; #else/#elif only
    # when an emitted item follows it within the group
    stack = []
    show = [False] * len(items)
    for i, it in enumerate(items):
        if it.kind != 'pp':
            continue
        word = PP.match(it.lines[0]).group(1)
        if word.startswith('if'):
            stack.append([i])
        elif word in ('else', 'elif'):
            stack[-1].append(i)
        else:
            grp = stack.pop() + [i]
            inside = any(emit[grp[0] + 1:i])
            for j in grp:
                show[j] = inside
            for a, b in zip(grp[1:-1], grp[2:]):
                if not any(emit[a + 1:b]):
                    show[a] = False
    out = []
    for i, it in enumerate(items):
        if emit[i] or show[i]:
            out.extend(it.lines)
    return '\n'.join(out) + '\n'


def patch_header(path):
    text = open(path).read()
    m = re.search(r'^Subject: \[PATCH[^\]]*\] (.*)$', text, re.M)
    subject = m.group(1).strip()
    body = text[m.end():].split('\n---\n', 1)[0]
    body = '\n'.join(l for l in body.split('\n') if not l.startswith('Signed-off-by:'))
    return subject, body.strip('\n')


def touched(path):
    return re.findall(r'^\+\+\+ b/(\S+)', open(path).read(), re.M)


def git(cwd, *args, env=None):
    r = subprocess.run(['git', '-C', cwd] + list(args), capture_output=True, text=True,
                       env=env)
    if r.returncode:
        die('git %s: %s' % (' '.join(args), r.stderr.strip()))
    return r.stdout


def main():
    args = sys.argv[1:]
    keys = '--keys' in args
    args = [a for a in args if a != '--keys']
    if len(args) != 1:
        die('usage: series.py OUTDIR [--keys]')
    out = os.path.abspath(args[0])
    names = [l.strip() for l in open(os.path.join(TOP, 'patches', 'series'))
             if l.strip() and not l.startswith('#')]
    order = [n.split('-', 1)[0] for n in names]
    created, layout = read_layout(order)
    files = {}
    for f in OURS:
        if f not in created:
            die('patches/layout: no "file %s PATCH" line' % f)
        its = split_items(open(os.path.join(TOP, f)).read())
        for it in its:
            if it.kind == 'para':
                it.patch = layout.pop((f, it.key), created[f])
        if render(its, order[-1], order) != open(os.path.join(TOP, f)).read():
            die('%s: the split does not give the file back' % f)
        files[f] = its
    if layout:
        die('patches/layout names items no file has: %s' %
            ', '.join('%s %s' % k for k in layout))
    if keys:
        for f, its in files.items():
            for it in its:
                if it.kind == 'para':
                    print('%-28s %-5s %s' % (f, it.patch, it.key))
        return

    ident = {}
    for l in open(os.path.join(TOP, 'patches', 'identity')):
        if ':' in l and not l.startswith('#'):
            k, v = l.split(':', 1)
            ident[k.strip()] = v.strip()
    author = ident['From']
    name, email = re.match(r'(.*?)\s*<(.*)>', author).groups()

    need = set(OURS)
    for n in names:
        need.update(touched(os.path.join(TOP, 'patches', n)))
    work = tempfile.mkdtemp(prefix='privmem-series.')
    try:
        tree = os.path.join(work, 'linux')
        members = ['%s/%s' % (PKGDIR, f) for f in sorted(need)]
        with tarfile.open(TARBALL) as tar:
            have = set(tar.getnames())
            tar.extractall(work, members=[tar.getmember(m) for m in members if m in have])
        os.rename(os.path.join(work, PKGDIR), tree)
        env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
                   GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email,
                   GIT_AUTHOR_DATE='2026-11-30T00:00:00Z',
                   GIT_COMMITTER_DATE='2026-11-30T00:00:00Z')
        git(tree, 'init', '-q')
        git(tree, 'add', '-A')
        git(tree, 'commit', '-q', '-m', 'pristine linux-source-6.12', env=env)
        for n, p in zip(names, order):
            pf = os.path.join(TOP, 'patches', n)
            r = subprocess.run(['patch', '-s', '-p1', '-d', tree, '--no-backup-if-mismatch',
                                '-i', pf], capture_output=True, text=True)
            if r.returncode:
                die('%s does not apply: %s' % (n, r.stdout + r.stderr))
            for f, its in files.items():
                text = render(its, p, order)
                if text is not None:
                    os.makedirs(os.path.dirname(os.path.join(tree, f)), exist_ok=True)
                    open(os.path.join(tree, f), 'w').write(text)
            subject, body = patch_header(pf)
            msg = '%s\n\n%s\n\nSigned-off-by: %s\n' % (subject, body, ident['Signed-off-by'])
            git(tree, 'add', '-A')
            subprocess.run(['git', '-C', tree, 'commit', '-q', '-F', '-'], input=msg,
                           text=True, env=env, check=True)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        git(tree, 'format-patch', '-q', '--cover-letter', '--numbered', '--zero-commit',
            '--no-signature', '-o', out, 'HEAD~%d' % len(names), env=env)
        cover = sorted(os.listdir(out))[0]
        cl = open(os.path.join(TOP, 'patches', 'cover-letter')).read().split('\n', 1)
        text = open(os.path.join(out, cover)).read()
        text = text.replace('*** SUBJECT HERE ***', cl[0].strip())
        text = text.replace('*** BLURB HERE ***', cl[1].strip('\n'))
        text = re.sub(r'^(Subject: \[PATCH 0+/\d+\] .*)$', r'\1', text, flags=re.M)
        text = text.replace('\n-- \n', '\n')
        open(os.path.join(out, cover), 'w').write(text)
        base = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'linux-source-6.12'],
                              capture_output=True, text=True).stdout
        with open(os.path.join(out, 'BASE'), 'w') as b:
            b.write('linux-source-6.12 %s (%s)\n' % (base, TARBALL))
        print('series: %d patches and a cover letter in %s' % (len(names), out))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
