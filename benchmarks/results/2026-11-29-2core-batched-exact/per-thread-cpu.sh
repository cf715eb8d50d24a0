#!/bin/bash
# usage (from the repository root, after benchmarks/run-http.sh --help has built the jar):
#   [EXTRA="-D..."] per-thread-cpu.sh HAZELCAST_PORT HTTP_PORT
# One ours-hazelcast-exact server and one Hazelcast member (10,000 keys), wrk -t2 -c16 15 s warm-up then 8 s measured;
# prints the CPU per request of each group of threads of both JVMs, from /proc (thread names are cut at 15 chars, so
# "hz.<instance>" is all Hazelcast threads of a JVM). Hazelcast's defaults on 2 cores, for comparison with this
# module's small-machine thread counts: EXTRA="-Dhazelcast.io.thread.count=3 -Dhazelcast.operation.thread.count=2
# -Dhazelcast.operation.generic.thread.count=2". Bounded: every process is killed at the end (and gets EOF at 200 s).
set -u
HP=$1; WP=$2
CP=${CP:-benchmarks/target/benchmarks.jar}
JO="-Xms512m -Xmx512m -XX:+AlwaysPreTouch --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED -Dhazelcast.phone.home.enabled=false -Dhazelcast.logging.type=jdk ${EXTRA:-}"
CL=manual-$RANDOM$RANDOM
D=${OUT:-/tmp}/per-thread-cpu-$HP; rm -rf $D; mkdir -p $D
sleep 200 2>/dev/null | java $JO -cp $CP io.usageplans.benchmarks.HazelcastBenchMember --cluster $CL --port $HP > $D/member.out 2> $D/member.err &
MP=$!
sleep 4
sleep 200 2>/dev/null | java $JO -Dusageplans.cluster.mode=exact -cp $CP io.usageplans.benchmarks.HttpBenchServer --mode ours-hazelcast-exact --port $WP --keys 10000 --cluster $CL --hazelcast-port $HP --members 2 > $D/server.out 2> $D/server.err &
for i in $(seq 60); do grep -q READY $D/server.out 2>/dev/null && break; sleep 1; done
SPID=$(pgrep -f "port $WP --keys" | head -1); MPID=$(pgrep -f "cluster $CL --port $HP" | grep -v $SPID | head -1)
snap() { for p in $SPID $MPID; do for t in /proc/$p/task/*; do n=$(cat $t/comm); s=($(sed 's/^.*) //' $t/stat)); echo "$p $n ${s[11]} ${s[12]}"; done; done; }
wrk -t2 -c16 -d15s -s benchmarks/src/main/resources/wrk/keys.lua http://127.0.0.1:$WP/test/pets -- many 10000 > /dev/null
snap > $D/a
wrk -t2 -c16 -d8s -s benchmarks/src/main/resources/wrk/keys.lua http://127.0.0.1:$WP/test/pets -- many 10000 > $D/wrk.txt
snap > $D/b
grep -E 'Requests/sec|RESULT' $D/wrk.txt | head -3
python3 - $D $SPID <<'PY'
import sys,re,collections
d,spid=sys.argv[1],sys.argv[2]
def rd(f):
    r={}
    for l in open(f):
        p,*n,u,s=l.split(); r[(p,' '.join(n),len(r))]=(int(u)+int(s))
    return r
a=rd(d+'/a'); b=rd(d+'/b')
# match by pid+name order: use names aggregated
agg=collections.Counter()
def tot(x):
    c=collections.Counter()
    for (p,n,i),v in x.items(): c[('server' if p==spid else 'member', re.sub(r'\d+$','N',n))]+=v
    return c
ta,tb=tot(a),tot(b)
req=None
for l in open(d+'/wrk.txt'):
    if 'Requests/sec' in l: rps=float(l.split()[1])
n=rps*8
tot_all=0
for k in sorted(tb,key=lambda k:-(tb[k]-ta.get(k,0))):
    dv=(tb[k]-ta.get(k,0))*10000/n  # ticks 10ms -> us per request
    tot_all+=dv
    if dv>1: print(f"{k[0]:7s} {k[1]:30s} {dv:8.1f} us/req")
print(f"total {tot_all:.1f} us/req at {rps:.0f} req/s")
PY
kill $MP $(pgrep -f "port $WP --keys") 2>/dev/null; sleep 1
