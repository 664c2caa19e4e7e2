// The capstone disassembler (libcapstone-dev), Egret's independent decoder.
#include <capstone/capstone.h>
