extension OpcodeTable {
    static func addControlFlow(_ b: inout RowBuilder) {
        b.add(.jump, .jump, nil, typevar: nil, [], [], [.isTerminator, .isBranch], tier: 1,
              "Jump unconditionally to a block, passing arguments to its parameters.")
        b.add(.brif, .brif, .intScalar, typevar: 0, [T], [], [.isTerminator, .isBranch], tier: 1,
              "Branch to the first block if the condition is non-zero, else to the second.")
        b.add(.br_table, .branchTable, nil, typevar: nil, [.fixed(.i32)], [], [.isTerminator, .isBranch], tier: 1,
              "Indirect branch through a table of blocks, to the default block when the index is out of range.")
        b.add(.debugtrap, .nullAry, nil, typevar: nil, [], [], [.canLoad, .canStore, .otherSideEffects], tier: 4,
              "Stop in the debugger.")
        b.add(.trap, .trap, nil, typevar: nil, [], [], [.canTrap, .isTerminator], tier: 1,
              "Terminate execution unconditionally with a trap code.")
        b.add(.trapz, .condTrap, .intScalar, typevar: 0, [T], [], [.canTrap], tier: 1,
              "Trap with the code when the condition is zero.")
        b.add(.trapnz, .condTrap, .intScalar, typevar: 0, [T], [], [.canTrap], tier: 1,
              "Trap with the code when the condition is non-zero.")
        b.add(.return, .multiAry, nil, typevar: nil, [], [], varargs: true, [.isTerminator, .isReturn], tier: 1,
              "Return from the function with the given values.")
        b.add(.call, .call, nil, typevar: nil, [], [], varargs: true, [.isCall], tier: 2,
              "Call a function directly; results come from its signature.")
        b.add(.call_indirect, .callIndirect, nil, typevar: nil, [.free(.address)], [], varargs: true, [.isCall], tier: 2,
              "Call the function at an address with the given signature.")
        b.add(.return_call, .call, nil, typevar: nil, [], [], varargs: true,
              [.isCall, .isTerminator, .isReturn], tier: 2,
              "Tail-call a function directly, returning its results.")
        b.add(.return_call_indirect, .callIndirect, nil, typevar: nil, [.free(.address)], [], varargs: true,
              [.isCall, .isTerminator, .isReturn], tier: 2,
              "Tail-call the function at an address, returning its results.")
        b.add(.func_addr, .funcAddr, .address, typevar: nil, [], [T], tier: 2,
              "The address of a function.")
        b.add(.try_call, .tryCall, nil, typevar: nil, [], [], varargs: true, [.isCall, .isTerminator, .isBranch],
              tier: 3, "Call a function; continue at the normal block or at a handler if it throws.")
        b.add(.try_call_indirect, .tryCallIndirect, nil, typevar: nil, [.free(.address)], [], varargs: true,
              [.isCall, .isTerminator, .isBranch], tier: 3,
              "Call the function at an address; continue at the normal block or at a handler if it throws.")
        b.add(.get_exception_handler_address, .exceptionHandlerAddress, .address, typevar: nil, [], [T], tier: 4,
              "The address of a try_call's handler block.")
        b.add(.stack_switch, .ternary, nil, typevar: nil,
              [.free(.address), .free(.address), .free(.address)], [.free(.address)],
              [.isCall, .canLoad, .canStore, .otherSideEffects], tier: 4,
              "Switch to another stack, saving this one's context.")
    }

    static func addMisc(_ b: inout RowBuilder) {
        b.add(.nop, .nullAry, nil, typevar: nil, [], [], tier: 1, "Do nothing.")
        b.add(.fence, .nullAry, nil, typevar: nil, [], [], [.otherSideEffects], tier: 2,
              "A memory fence: orders loads and stores before it against those after it.")
        b.add(.sequence_point, .nullAry, nil, typevar: nil, [], [], [.otherSideEffects], tier: 4,
              "A point that instructions are not moved across.")
        b.add(.get_pinned_reg, .nullAry, .address, typevar: nil, [], [T], [.otherSideEffects], tier: 4,
              "Read the pinned register.")
        b.add(.set_pinned_reg, .unary, .address, typevar: 0, [T], [], [.otherSideEffects], tier: 4,
              "Write the pinned register.")
        b.add(.get_frame_pointer, .nullAry, .address, typevar: nil, [], [T], tier: 4,
              "The current frame pointer.")
        b.add(.get_stack_pointer, .nullAry, .address, typevar: nil, [], [T], tier: 4,
              "The current stack pointer.")
        b.add(.get_return_address, .nullAry, .address, typevar: nil, [], [T], tier: 4,
              "The return address of the current function.")
        b.add(.symbol_value, .unaryGlobalValue, .any, typevar: nil, [], [T], tier: 4,
              "The address of a symbol global value.")
        b.add(.tls_value, .unaryGlobalValue, .any, typevar: nil, [], [T], tier: 4,
              "The address of a thread-local symbol.")
    }
}
