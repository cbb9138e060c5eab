# CMake generated Testfile for 
# Source directory: /work/wt/labs/tests
# Build directory: /work/wt/labs/build-werror/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("labs")
subdirs("store")
subdirs("tracer")
