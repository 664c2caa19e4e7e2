/// The block-structure pass: no placed block is empty, and the entry block receives the
/// function's parameters. (That a block's last instruction, and only it, is a
/// terminator is checked by the references pass, which visits every instruction.)
///
/// Requires: the layout pass (`layoutTerminator`) and the references pass
/// (`blockParamsAreSound`).
/// Guarantees: each placed block has at least one instruction; the entry block is not
/// cold and its parameters have the signature's parameter types.
extension FunctionVerifier {
    mutating func checkBlocks() {
        for layoutIndex in 0 ..< layoutBlocks.count where layoutBlocks[layoutIndex] >= 0 && layoutTerminator[layoutIndex] < 0 {
            report(block: Int(layoutBlocks[layoutIndex]), layoutIndex: layoutIndex,
                   "is empty; a block must end with a terminator")
        }
        checkEntryBlockParams()
    }

    /// The entry block's parameters match the signature's parameters (count and types),
    /// and it is not marked cold.
    private mutating func checkEntryBlockParams() {
        if let entry = function.layout.first, isPlaced(entry), function.blocks[entry.position].isCold {
            report(block: entry.position, layoutIndex: 0, "entry block cannot be marked as cold")
        }
        guard let entry = function.layout.first, isPlaced(entry), blockParamsAreSound[entry.position],
              let params = values(in: function.blocks[entry.position].params)
        else { return }
        let expected = function.signature.params
        guard params.count == expected.count else {
            report(block: entry.position, layoutIndex: 0,
                   "entry block parameters (\(params.count)) must match function signature (\(expected.count))")
            return
        }
        for (index, value) in params.enumerated() where type(of: value) != expected[index].type {
            report(block: entry.position, layoutIndex: 0,
                   "entry block parameter \(index) (\(value)) expected to have type \(expected[index].type), got \(type(of: value))")
        }
    }
}
