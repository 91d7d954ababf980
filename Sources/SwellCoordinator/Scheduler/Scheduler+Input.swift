import Foundation
import SwellProtocol

extension Scheduler {
    /// Answers a node's INPUT? with the piece of the input it asked for: a running stage's
    /// stdin, or its reduction's input, from `offset`, at most
    /// ``CoordinatorSettings/inputPieceSize`` bytes. A run or stage that has ended (its nodes
    /// are told to stop) or an offset past the end gets no answer.
    mutating func sendInput(_ request: InputRequest, to peer: Data, _ effects: inout Effects) {
        guard let run = runs[request.run], run.status == .running, let s = run.stageIndex(request.stage),
              run.stages[s].status == .running else { return }
        let input = request.reduce ? (run.stages[s].reduce?.stdin ?? Data()) : run.stages[s].stdin
        guard request.offset >= 0, request.offset < input.count else { return }
        let start = input.startIndex + request.offset
        let end = min(input.endIndex, start + CoordinatorSettings.inputPieceSize)
        effects.send(peer, .input(InputChunk(
            id: messageID(), replyTo: request.id, run: request.run, stage: request.stage, reduce: request.reduce,
            offset: request.offset, data: input.subdata(in: start..<end), last: end == input.endIndex)))
    }
}
