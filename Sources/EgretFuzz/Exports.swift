// The differential harness: filetest runner (run lines on the interpreter, and on the
// backend once it exists), generator, oracle, reducer and corpus.
@_exported import EgretIR
