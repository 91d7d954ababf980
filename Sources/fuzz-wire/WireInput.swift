import Foundation

/// Input layout: one byte of frame count (mod 6), then per frame a little-endian u16 length
/// and the bytes; whatever is left over is the last frame.
enum WireInput {
    static func frames(_ bytes: UnsafeRawBufferPointer) -> [Data] {
        guard let first = bytes.first else { return [] }
        let count = Int(first) % 6
        var frames: [Data] = []
        var offset = 1
        for index in 0..<count {
            if index == count - 1 {
                frames.append(Data(bytes[min(offset, bytes.count)...]))
                break
            }
            guard offset + 2 <= bytes.count else { break }
            let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
            offset += 2
            let end = min(bytes.count, offset + length)
            frames.append(Data(bytes[offset..<end]))
            offset = end
        }
        return frames
    }

    static func encode(_ frames: [Data]) -> Data {
        var out = Data([UInt8(frames.count)])
        for (index, frame) in frames.enumerated() {
            if index < frames.count - 1 {
                out.append(UInt8(frame.count & 0xFF))
                out.append(UInt8(frame.count >> 8))
            }
            out.append(frame)
        }
        return out
    }
}
