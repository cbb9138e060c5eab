#!/bin/sh
# check_imports.sh OBJ... - fail if an object file of the tracer's recording
# path imports a function that allocates, locks, does stdio or reads the
# environment (STYLE.md: no allocation or locking in hooks).
set -eu
forbidden='^(malloc|calloc|realloc|free|strdup|strndup|printf|fprintf|sprintf|snprintf|vsnprintf|vfprintf|puts|fputs|fwrite|fopen|fclose|fflush|getenv|secure_getenv|dlsym|dlopen|pthread_mutex_lock|pthread_mutex_trylock|pthread_rwlock_rdlock|pthread_rwlock_wrlock|pthread_spin_lock|sem_wait|syslog|perror|strerror|__printf_chk|__fprintf_chk|__snprintf_chk|__sprintf_chk|__vsnprintf_chk)(@.*)?$'
status=0
for obj in "$@"; do
  [ -f "$obj" ] || { echo "check_imports: missing object '$obj'" >&2; exit 1; }
  bad=$(nm -u "$obj" | awk '{print $NF}' | grep -E "$forbidden" || true)
  if [ -n "$bad" ]; then
    echo "check_imports: $(basename "$obj") imports:" $bad >&2
    status=1
  fi
  echo "$(basename "$obj"): $(nm -u "$obj" | awk '{print $NF}' | tr '\n' ' ')"
done
exit $status
