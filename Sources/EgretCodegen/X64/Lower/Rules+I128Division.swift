import EgretIR

extension X64LoweringRules {
    static var i128Division: [LoweringRule] { [] }
}
