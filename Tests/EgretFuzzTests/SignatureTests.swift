@_spi(Testing) import EgretCodegen
import EgretIR
import EgretTestSupport
import Testing
@_spi(Testing) @testable import EgretFuzz

/// Signatures name the instruction a mismatch starts at, so that two bugs in one
/// campaign are two findings and one bug found twice is one.
@Suite struct SignatureTests {
    static func signature(_ text: String, _ bug: PlantedBug) -> FailureSignature? {
        var options = DifferentialOracle.Options()
        options.hooks = bug.hooks
        options.bothConventions = false
        return DifferentialOracle(options: options).check(text: text).finding?.signature
    }

    /// `icmp slt` on equal operands: the planted `setle` makes it 1.
    static let lessThan = """
        test run
        target x86_64
        function %f(i32, i32) -> i32 system_v {
        block0(v0: i32, v1: i32):
            v2 = iadd v0, v1
            v3 = icmp slt v0, v1
            v4 = uextend.i32 v3
            v5 = iadd v2, v4
            return v5
        }
        ; print: %f(4, 4)
        """

    /// The same bug in another function, reached through a different input.
    static let lessThanElsewhere = """
        test run
        target x86_64
        function %g(i32, i32, i32) -> i32, i32 system_v {
        block0(v0: i32, v1: i32, v2: i32):
            v3 = bxor v0, v2
            v4 = icmp slt v1, v0
            v5 = uextend.i32 v4
            v6 = isub v3, v5
            return v6, v3
        }
        ; print: %g(-7, -7, 100)
        """

    /// A backend whose `iadd` and `bxor` rules emit the code of `isub` and `bor`:
    /// two bugs in two rules.
    static func replacingRules(_ replaced: [String: String]) throws -> DifferentialOracle.Options {
        var options = DifferentialOracle.Options()
        options.bothConventions = false
        var hooks = CompilerHooks()
        for (name, replacement) in replaced {
            let rule = try #require(X64LoweringRules.all.first { $0.name == replacement })
            hooks.replacedEmitters[name] = rule.emit
        }
        options.hooks = hooks
        return options
    }

    static let addThenXor = """
        test run
        target x86_64
        function %f(i32, i32) -> i32 system_v {
        block0(v0: i32, v1: i32):
            v2 = iadd v0, v1
            v3 = bxor v2, v1
            return v3
        }
        ; print: %f(3, 5)
        """

    static let xorThenAdd = """
        test run
        target x86_64
        function %f(i32, i32) -> i32 system_v {
        block0(v0: i32, v1: i32):
            v2 = bxor v0, v1
            v3 = iadd v2, v1
            return v3
        }
        ; print: %f(3, 5)
        """

    @Test func twoBrokenRulesGiveTwoSignaturesNamingTheirOpcodes() throws {
        let options = try Self.replacingRules(["iadd": "isub", "bxor": "bor"])
        let oracle = DifferentialOracle(options: options)
        // Each case runs into the first broken rule on its way.
        let add = try #require(oracle.check(text: Self.addThenXor).finding?.signature)
        let xor = try #require(oracle.check(text: Self.xorThenAdd).finding?.signature)
        #expect(add.kind == .valueMismatch && xor.kind == .valueMismatch)
        #expect(add.location == "jit[declared]: iadd.i32 via iadd: values differ", "\(add)")
        #expect(xor.location == "jit[declared]: bxor.i32 via bxor: values differ", "\(xor)")
        // Without the broken rules both cases are clean.
        #expect(DifferentialOracle().check(text: Self.addThenXor).finding == nil)
        #expect(DifferentialOracle().check(text: Self.xorThenAdd).finding == nil)
    }

    @Test func aBugInACalleeIsNamedInTheCallee() throws {
        let text = """
            test run
            target x86_64
            function %f(i32, i32) -> i32 system_v {
            block0(v0: i32, v1: i32):
                v2 = bxor v0, v1
                return v2
            }

            function %g(i32) -> i32 windows_fastcall {
                fn0 = %f(i32, i32) -> i32 system_v
            block0(v0: i32):
                v1 = iconst.i32 6
                v2 = call fn0(v0, v1)
                v3 = imul v2, v1
                return v3
            }
            ; print: %g(3)
            """
        let options = try Self.replacingRules(["bxor": "bor"])
        let signature = try #require(DifferentialOracle(options: options).check(text: text).finding?.signature)
        #expect(signature.location == "jit[declared]: bxor.i32 via bxor: values differ", "\(signature)")
    }

    /// Through a function pointer of a known function (`func_addr` then
    /// `call_indirect`) the bug is named where it is, in the callee.
    @Test func aBugBehindAnIndirectCallIsNamedInTheCallee() throws {
        let text = """
            test run
            target x86_64
            function %f(i32, i32) -> i32 tail {
            block0(v0: i32, v1: i32):
                v2 = bxor v0, v1
                return v2
            }

            function %g(i32) -> i32 windows_fastcall {
                fn0 = %f(i32, i32) -> i32 tail
                sig0 = (i32, i32) -> i32 tail
            block0(v0: i32):
                v1 = iconst.i32 6
                v2 = func_addr.i64 fn0
                v3 = call_indirect sig0, v2(v0, v1)
                v4 = imul v3, v1
                return v4
            }
            ; print: %g(3)
            """
        let options = try Self.replacingRules(["bxor": "bor"])
        let signature = try #require(DifferentialOracle(options: options).check(text: text).finding?.signature)
        #expect(signature.location == "jit[declared]: bxor.i32 via bxor: values differ", "\(signature)")
    }

    @Test func aTrapMismatchNamesTheInstructionThatShouldHaveTrapped() throws {
        let text = """
            test run
            target x86_64
            function %f(i32, i32) -> i32 system_v {
            block0(v0: i32, v1: i32):
                v2 = iadd v0, v1
                v3 = sdiv v0, v1
                v4 = iadd v3, v2
                return v4
            }
            ; print: %f(-2147483648, -1)
            """
        // Dividing as unsigned, INT_MIN / -1 gives 0 instead of the overflow trap.
        let options = try Self.replacingRules(["sdiv": "udiv"])
        let signature = try #require(DifferentialOracle(options: options).check(text: text).finding?.signature)
        #expect(signature.kind == .trapMismatch)
        #expect(signature.location.hasPrefix("jit[declared]: sdiv.i32 via sdiv: "), "\(signature)")
    }

    @Test func aPlantedConditionCodeIsNamedByItsComparison() throws {
        let signature = try #require(Self.signature(Self.lessThan, .wrongConditionCode))
        #expect(signature.kind == .valueMismatch)
        #expect(signature.location.contains("icmp.i32"), "\(signature)")
    }

    @Test func oneBugFoundTwiceGivesOneSignature() throws {
        let first = try #require(Self.signature(Self.lessThan, .wrongConditionCode))
        let second = try #require(Self.signature(Self.lessThanElsewhere, .wrongConditionCode))
        #expect(first == second)
    }

    @Test func theRuleIsNamedWhenTheBackendRecordedOne() throws {
        let signature = try #require(Self.signature(Self.lessThan, .wrongConditionCode))
        #expect(signature.location.contains(" via "), "\(signature)")
    }

    @Test func argumentsPassedWronglyAreNamedAsParameters() throws {
        let text = """
            test run
            target x86_64
            function %f(i64, i64, i64, i64, i64, i64, i64, i64) -> i64 system_v {
            block0(v0: i64, v1: i64, v2: i64, v3: i64, v4: i64, v5: i64, v6: i64, v7: i64):
                v8 = iadd v6, v7
                return v8
            }
            ; print: %f(1, 2, 3, 4, 5, 6, 7, 8)
            """
        let signature = try #require(Self.signature(text, .stackOffsetOffByOne))
        #expect(signature.location.contains("parameters"), "\(signature)")
    }

    @Test func deadInstructionsAreNeverTheCulprit() throws {
        let text = """
            test run
            target x86_64
            function %f(i32, i32) -> i32 system_v {
            block0(v0: i32, v1: i32):
                v2 = icmp slt v0, v1
                v3 = iadd v0, v1
                v4 = icmp eq v3, v0
                brif v4, block1(v3), block1(v0)

            block1(v5: i32):
                v6 = bxor v5, v5
                return v0
            }
            ; print: %f(4, 4)
            """
        let function = try #require(try CLIFParser.parse(text).functions.first)
        let observable = CulpritLocator.observableInstructions(function)
        // v2 and v6 are dead; v3 reaches the branch through v4.
        #expect(observable == [Inst(1), Inst(2), Inst(3), Inst(5)])
        // The planted bug in the dead `icmp slt` shows nowhere: the case is clean.
        #expect(Self.signature(text, .wrongConditionCode) == nil)
    }

    static func misallocating(_ rule: String) -> DifferentialOracle {
        var options = DifferentialOracle.Options()
        options.bothConventions = false
        options.hooks = Misallocation(rule: rule).hooks
        return DifferentialOracle(options: options)
    }

    @Test func aRejectedAllocationIsNamedByTheIRInstructionAndRuleItFailedIn() throws {
        let finding = try #require(Self.misallocating("iadd").check(text: Self.xorThenAdd).finding)
        #expect(finding.signature.kind == .compileError)
        #expect(finding.signature.culprit == "iadd.i32 via iadd", "\(finding.signature)")
        // The kind of failure, free of the registers and values that shift between cases.
        #expect(finding.signature.location == "jit[declared]: iadd.i32 via iadd: checker: use reads a wrong value",
                "\(finding.signature)")
        #expect(finding.detail.hasPrefix("jit[declared]: register allocation: checker: in %f, iadd.i32 (rule iadd) at vcode "),
                "\(finding.detail)")
    }

    @Test func oneMisallocatedRuleGivesOneSignatureAndTwoRulesTwo() throws {
        let add = Self.misallocating("iadd"), xor = Self.misallocating("bxor")
        let addFirst = try #require(add.check(text: Self.addThenXor).finding?.signature)
        let addSecond = try #require(add.check(text: Self.xorThenAdd).finding?.signature)
        let xorFirst = try #require(xor.check(text: Self.addThenXor).finding?.signature)
        #expect(addFirst == addSecond)
        #expect(xorFirst.culprit == "bxor.i32 via bxor")
        #expect(xorFirst != addFirst)
    }

    @Test func compileErrorsNameTheOpcodeTheirMessageNames() {
        #expect(CulpritLocator.opcodeNamed(in: "internal error: callee() asked while lowering iadd") == "iadd")
        #expect(CulpritLocator.opcodeNamed(in: "internal error: udiv names undeclared fn3") == "udiv")
        #expect(CulpritLocator.opcodeNamed(in: "register allocation: checker: instruction 4: use of %v3") == nil)
        #expect(CulpritLocator.opcodeNamed(in: "a tail callee with a return area from a function without one") == nil)
    }

    @Test func addressesAreNeverProbed() throws {
        let text = """
            function %f(i64) -> i64 system_v {
                ss0 = explicit_slot 8
            block0(v0: i64):
                v1 = stack_addr.i64 ss0
                v2 = iadd v1, v0
                store v0, v1
                v3 = load.i64 v1
                return v3
            }
            """
        let function = try #require(try CLIFParser.parse(text).functions.first)
        let addresses = CulpritLocator.addressValues(function, heapArguments: [])
        #expect(addresses == [Value(1), Value(2)])
    }
}
