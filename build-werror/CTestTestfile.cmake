# CMake generated Testfile for 
# Source directory: /work/wt/labs
# Build directory: /work/wt/labs/build-werror
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("tracer")
subdirs("analyzer")
subdirs("labs")
subdirs("viz")
subdirs("bench")
subdirs("tests")
