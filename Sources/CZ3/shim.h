// Z3 (libz3-dev), the SMT solver behind `egret verify`. Only EgretSMT imports it.
#include <z3.h>
