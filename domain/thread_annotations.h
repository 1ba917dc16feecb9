// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html), as
// macros that vanish under other compilers. GCC builds the code; scripts/lint compiles the
// annotated translation units with clang++ -Wthread-safety -Werror=thread-safety, so a member
// read or written without its mutex fails CI.
#pragma once

#if defined(__clang__)
#define LEDGER_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define LEDGER_THREAD_ANNOTATION(x)
#endif

// On a class: it is a lock (a capability); on a RAII class: it holds one for its scope.
#define CAPABILITY(name) LEDGER_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY LEDGER_THREAD_ANNOTATION(scoped_lockable)
// On a member: read or written only with `mutex` held (PT_: the pointee, not the pointer).
#define GUARDED_BY(mutex) LEDGER_THREAD_ANNOTATION(guarded_by(mutex))
#define PT_GUARDED_BY(mutex) LEDGER_THREAD_ANNOTATION(pt_guarded_by(mutex))
// On a function (or a lambda): the caller must hold / must not hold the mutexes.
#define REQUIRES(...) LEDGER_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) LEDGER_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) LEDGER_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// On a function: it takes / gives up the mutexes (none named: the object itself).
#define ACQUIRE(...) LEDGER_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) LEDGER_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) LEDGER_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
// Turns the analysis off for one function; say why next to it.
#define NO_THREAD_SAFETY_ANALYSIS LEDGER_THREAD_ANNOTATION(no_thread_safety_analysis)
