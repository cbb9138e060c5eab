#!/usr/bin/env bash
# viz_tests.sh HEAPSCOPE FX_VIZ WORKDIR SRCDIR - the viz integration tests:
# record the fixture (fx_viz.c) for real, check the exported numbers
# exactly, draw every plot kind and check the pictures are not blank, then
# write one report and one comparison and load them in headless Chromium,
# which must load every image. The screenshots stay in WORKDIR.
set -u
hs=$1 fx=$2 work=$3 src=$4
py=${HS_PYTHON:-/usr/bin/python3}
fail() { echo "FAIL: $*"; exit 1; }
expect_eq() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; }

rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || exit 1
"$hs" record -o a.db -- "$fx" >/dev/null 2>rec.err || { cat rec.err; fail "record a.db"; }
# The same program under jemalloc, for the comparison report.
jemalloc=$(ldconfig -p | awk '/libjemalloc\.so\.2 / {print $NF; exit}')
[ -n "$jemalloc" ] || fail "libjemalloc.so.2 not installed (scripts/deps.sh test)"
LD_PRELOAD=$jemalloc "$hs" record --no-faults -o je.db -- "$fx" >/dev/null 2>rec.err \
    || { cat rec.err; fail "record je.db"; }

# --- exported numbers (fx_viz.c says where each comes from) ---
"$hs" sizes a.db --csv > sizes.csv || fail "sizes"
expect_eq "sizes" "$(cat sizes.csv)" "table,label,lo,hi,count,bytes
request,17-32,17,32,100,2400
request,33-64,33,64,0,0
request,65-128,65,128,0,0
request,129-256,129,256,50,10000
request,257-512,257,512,0,0
request,513-1024,513,1024,0,0
request,1025-2048,1025,2048,10,20000
request,2049-4096,2049,4096,1,4000
request,4097-8192,4097,8192,0,0
request,8193-16384,8193,16384,0,0
request,16385-32768,16385,32768,0,0
request,32769-65536,32769,65536,0,0
request,65537-131072,65537,131072,0,0
request,131073-262144,131073,262144,0,0
request,262145-524288,262145,524288,0,0
request,524289-1048576,524289,1048576,1,1048576
chunk,fast,,,100,3200
chunk,small,,,50,10400
chunk,large,,,11,24176
chunk,mmapped,,,1,1052672"

"$hs" timeline a.db --csv > timeline.csv || fail "timeline"
expect_eq "timeline marks" "$("$py" -c 'import csv, sys
for r in csv.reader(sys.stdin):
    if r[11] and r[0] != "seq": print(r[11] + "|" + " ".join(r[i] for i in (2, 4, 8, 10)))' <timeline.csv)" \
"start|0 0 0 0
allocated|1080976 161 1052672 1052672
freed, \"all\" but the leaks|23200 60 0 0"
expect_eq "timeline end" "$(tail -1 timeline.csv | cut -d, -f3,5,8,9)" "23200,60,135168,0"

"$hs" lifetimes a.db --csv > lifetimes.csv || fail "lifetimes"
grep -q '^# pid=[0-9]* total=162 shown=162 ' lifetimes.csv || fail "lifetimes header: $(head -1 lifetimes.csv)"
expect_eq "lifetimes live" "$(awk -F, '$8 == 1' lifetimes.csv | wc -l)" 60
expect_eq "lifetimes mmap" "$(awk -F, '$6 == "mmap" {print $2, $3, $7}' lifetimes.csv)" "1048576 1052672 mmapped"
"$hs" lifetimes a.db --csv --max 10 > top10.csv || fail "lifetimes --max"
grep -q ' total=162 shown=10 ' top10.csv || fail "lifetimes --max 10: $(head -1 top10.csv)"
# Kept: the largest size x duration, i.e. the mmapped MiB and the 9
# longest-lived of the leaked 2000-byte blocks, in allocation order.
expect_eq "lifetimes --max keeps the largest" "$(tail -n +3 top10.csv | cut -d, -f2 | uniq -c | tr -s ' ')" \
" 9 2000
 1 1048576"

# A shell that execs the fixture: same pid, two images; the exports show
# the image with the most events (the fixture's), not the shell's blocks.
"$hs" record --no-faults -o exec.db -- sh -c "exec '$fx'" >/dev/null 2>rec.err || { cat rec.err; fail "record exec.db"; }
"$hs" lifetimes exec.db --csv > exec-lifetimes.csv || fail "lifetimes exec.db"
grep -q '^# pid=[0-9]* total=162 shown=162 ' exec-lifetimes.csv || fail "exec image: $(head -1 exec-lifetimes.csv)"
expect_eq "exec image end" "$("$hs" timeline exec.db --csv | tail -1 | cut -d, -f3,5)" "23200,60"
# Sites of each image are symbolized with that image's maps: the shell's
# callers are never fx_viz.c lines, the fixture's are.
"$hs" sites exec.db --json --top 50 > exec-sites.json || fail "sites exec.db"
grep -q '"by_bytes":\[{"pid":[0-9]*,"exec_gen":1,"caller":"0x[0-9a-f]*","where":"main ([^"]*fx_viz.c:32)"' exec-sites.json \
    || fail "exec image sites: $(head -c 300 exec-sites.json)"
grep -o '"exec_gen":0,[^}]*}' exec-sites.json | grep -q 'fx_viz' && fail "a shell site resolved with the fixture's maps"

"$hs" sites a.db --json > sites.json || fail "sites"
grep -q '^{"n_sites":5,"n_allocs":162,"bytes":1084976,"n_live":60,"live_bytes":23200,' sites.json \
    || fail "sites totals: $(head -c 120 sites.json)"
grep -q '"by_bytes":\[{"pid":[0-9]*,"exec_gen":0,"caller":"0x[0-9a-f]*","where":"main ([^"]*fx_viz.c:32)"' sites.json \
    || fail "sites: largest is not fx_viz.c:32: $(head -c 400 sites.json)"
grep -q '"by_count":\[{"pid":[0-9]*,"exec_gen":0,"caller":"0x[0-9a-f]*","where":"main ([^"]*fx_viz.c:27)"' sites.json \
    || fail "sites: most frequent is not fx_viz.c:27"
grep -q '"by_live":\[{[^}]*fx_viz.c:31)","n_allocs":10,"bytes":20000,"max_size":2000,"n_live":9,"live_bytes":18000},{[^}]*fx_viz.c:40)","n_allocs":1,"bytes":4000,"max_size":4000,"n_live":1,"live_bytes":4000}' sites.json \
    || fail "sites: the leaks are not fx_viz.c:31 (9 blocks) then the realloc on fx_viz.c:40"

"$hs" verdict a.db --json > verdict.json || fail "verdict"
grep -q '^{"level":"low","peak":{"seq":[0-9]*,"held":1187840,"heap_extent":135168,"mmapped":1052672,"live_requested":1080976,' verdict.json \
    || fail "verdict: $(cat verdict.json)"
# The glibc model's free chunks at the end (tcache, fastbins, unsorted,
# top), as `heapscope frag` computes them: a regression check.
grep -q '"end_model":{"free_bytes":110752,"largest_free":100752,"external_frag":0.0903}' verdict.json \
    || fail "verdict end_model: $(cat verdict.json)"

# --- every plot kind; kinds whose data command another module has not
# --- landed yet must fail with one clean line ---
have() { "$hs" help | grep -q "^  $1 "; }
for kind in heapmap timeline sizes frag bins faults; do
    need=$kind
    case $kind in heapmap|timeline|sizes) need=timeline ;; esac
    "$hs" plot a.db "$kind" -o "$kind.png" >/dev/null 2>plot.err
    rc=$?
    if have "$need"; then
        [ $rc -eq 0 ] || { cat plot.err; fail "plot $kind exited $rc"; }
        "$py" "$src/check_png.py" "$kind.png" || fail "plot $kind is blank"
    else
        [ $rc -eq 1 ] && [ "$(wc -l < plot.err)" -eq 1 ] && grep -q '^heapscope plot: ' plot.err \
            || { cat plot.err; fail "plot $kind without '$need': want one error line, exit 1"; }
        [ ! -e "$kind.png" ] && [ ! -e "$kind.tmp.png" ] || fail "plot $kind left a file behind"
    fi
done
"$hs" plot a.db timeline -o timeline.svg >/dev/null || fail "plot svg"
"$py" "$src/check_png.py" timeline.svg || fail "svg"
"$hs" plot a.db bins --at 5 --mark x >/dev/null 2>err.txt; expect_eq "--at with --mark" $? 2
"$hs" plot nosuch.db heapmap >/dev/null 2>err.txt; expect_eq "missing trace exit" $? 1
expect_eq "missing trace message lines" "$(wc -l < err.txt)" 1
"$hs" plot a.db sizes -o no-dir/sizes.png >/dev/null 2>err.txt; expect_eq "bad output dir exit" $? 1
expect_eq "bad output dir message" "$(cat err.txt)" \
    "heapscope plot: cannot write 'no-dir/sizes.png': No such file or directory"
"$hs" plot a.db heapmap --mark no-such-mark >/dev/null 2>err.txt; expect_eq "unknown mark exit" $? 1
expect_eq "unknown mark message" "$(cat err.txt)" "heapscope plot: no mark 'no-such-mark' in 'a.db'"

# --- reports, loaded in a real browser ---
browse() { # browse HTML SCREENSHOT: prints "images loaded"
    local profile
    profile=$(mktemp -d) || return 1
    local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
                 --disable-background-networking --disable-component-update --disable-sync
                 --user-data-dir="$profile" --virtual-time-budget=10000)
    timeout 120 chromium "${flags[@]}" --window-size=1600,3000 --screenshot="$2" "file://$1" \
        >/dev/null 2>&1
    timeout 120 chromium "${flags[@]}" --dump-dom "file://$1" 2>/dev/null \
        | grep -o '<body data-images="[0-9]*" data-images-loaded="[0-9]*"'
    rm -rf "$profile"
}
"$hs" report a.db -o report >report.out 2>report.err || { cat report.err; fail "report"; }
expect_eq "report path" "$(cat report.out)" "report/index.html"
[ ! -e report.tmp ] || fail "report.tmp left behind"
"$py" "$src/check_png.py" report/*.png || fail "report picture blank"
grep -q 'fx_viz.c:32)' report/index.html || fail "report has no symbolized site"
grep -qE '(src|href)="(https?:)?//' report/index.html && fail "report references an external resource"
body=$(browse "$work/report/index.html" "$work/report-screenshot.png")
n=$(ls report/*.png | wc -l)
expect_eq "browser: report images loaded" "$body" "<body data-images=\"$n\" data-images-loaded=\"$n\""
"$py" "$src/check_png.py" report-screenshot.png || fail "screenshot blank"

# glibc vs jemalloc: jemalloc's trace has no bins or frag pictures (the
# glibc model does not apply), each replaced by one line saying so.
"$hs" verdict je.db --json > je-verdict.json || fail "verdict je.db"
grep -q '^{"level":"unknown",' je-verdict.json || fail "jemalloc verdict: $(cat je-verdict.json)"
"$hs" plot je.db heapmap -o je-heapmap.png >/dev/null || fail "plot je.db heapmap"
"$py" "$src/check_png.py" je-heapmap.png || fail "jemalloc heapmap blank"
"$hs" report a.db je.db -o compare >/dev/null 2>report.err || { cat report.err; fail "report a je"; }
grep -q 'Side by side' compare/index.html || fail "comparison has no side-by-side table"
n=$(ls compare/*.png | wc -l)
expect_eq "comparison pictures (6 glibc + heapmap, timeline, sizes of jemalloc)" "$n" 9
expect_eq "comparison 'not available' lines" "$(grep -c 'not available: ' compare/index.html)" 3
body=$(browse "$work/compare/index.html" "$work/compare-screenshot.png")
expect_eq "browser: comparison images loaded" "$body" "<body data-images=\"$n\" data-images-loaded=\"$n\""

# Errors leave nothing half-written.
"$hs" report a.db -o missing-parent/sub/report >/dev/null 2>err.txt; expect_eq "report bad dir exit" $? 1
expect_eq "report bad dir lines" "$(wc -l < err.txt)" 1
[ ! -e missing-parent ] || fail "report left a directory behind"
"$hs" report nosuch.db -o r2 >/dev/null 2>err.txt; expect_eq "report missing trace exit" $? 1
[ ! -e r2 ] && [ ! -e r2.tmp ] || fail "report on a bad trace left files"
# An earlier report is replaced; a directory holding anything else is not.
"$hs" report a.db -o report >/dev/null 2>err.txt || { cat err.txt; fail "report over an earlier report"; }
mkdir -p keep && cp a.db keep/ && echo notes >keep/notes.txt
"$hs" report a.db -o keep >/dev/null 2>err.txt; expect_eq "report into a directory of other files: exit" $? 1
expect_eq "report into a directory of other files: lines" "$(wc -l < err.txt)" 1
expect_eq "the directory's files stay" "$(ls keep | tr '\n' ' ')" "a.db notes.txt "
rm keep/notes.txt
"$hs" report keep/a.db -o keep/ >/dev/null 2>err.txt; expect_eq "report replacing its own trace's directory: exit" $? 1
grep -q "is inside 'keep/'" err.txt || fail "report inside: $(cat err.txt)"
[ -e keep/a.db ] && [ ! -e keep.tmp ] || fail "the trace inside the directory was touched"
echo "viz tests passed (screenshots in $work)"
