import EgretIR

/// Cranelift's libcalls for float operations — what its x64 backend calls when the CPU
/// lacks an instruction (`roundss` needs SSE4.1, `vfmadd` needs FMA). A call to one,
/// direct (`fn0 = %CeilF32(f32) -> f32`) or through its `func_addr`, computes the
/// operation it stands for; other external functions are unsupported.
enum FloatLibcall: String, CaseIterable {
    case CeilF32, CeilF64, FloorF32, FloorF64, TruncF32, TruncF64, NearestF32, NearestF64, FmaF32, FmaF64

    /// The type of the operands and the result.
    var type: IRType { rawValue.hasSuffix("F32") ? .f32 : .f64 }

    var arity: Int { operation == .fma ? 3 : 1 }

    /// The micro-operation a direct call decodes to.
    var operation: MicroOp {
        switch self {
        case .CeilF32, .CeilF64: return .ceil
        case .FloorF32, .FloorF64: return .floor
        case .TruncF32, .TruncF64: return .trunc
        case .NearestF32, .NearestF64: return .nearest
        case .FmaF32, .FmaF64: return .fma
        }
    }

    /// The libcall's signature: `arity` operands of `type`, one result.
    var signature: Signature {
        Signature(params: Array(repeating: AbiParam(type), count: arity), returns: [AbiParam(type)])
    }

    /// Computes the libcall on float bits (for calls through a function address).
    func evaluate(_ x: UInt64, _ y: UInt64, _ z: UInt64) -> UInt64 {
        let width = UInt8(type.bits)
        switch self {
        case .CeilF32, .CeilF64:
            return FloatSemantics.unary(width, x, { $0.rounded(.up) }, { $0.rounded(.up) })
        case .FloorF32, .FloorF64:
            return FloatSemantics.unary(width, x, { $0.rounded(.down) }, { $0.rounded(.down) })
        case .TruncF32, .TruncF64:
            return FloatSemantics.unary(width, x, { $0.rounded(.towardZero) }, { $0.rounded(.towardZero) })
        case .NearestF32, .NearestF64:
            return FloatSemantics.unary(width, x, { $0.rounded(.toNearestOrEven) }, { $0.rounded(.toNearestOrEven) })
        case .FmaF32, .FmaF64:
            return FloatSemantics.fusedMultiplyAdd(width, x, y, z)
        }
    }
}
