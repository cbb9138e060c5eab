analyzer/CMakeFiles/hs_analysis.dir/lib/schema.c.o: \
 /work/wt/labs/analyzer/lib/schema.c /usr/include/stdc-predef.h \
 /work/wt/labs/analyzer/lib/schema.h
