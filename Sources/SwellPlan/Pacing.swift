package enum Pacing: String, Sendable, Codable, CaseIterable {
    /// The next task wave starts when the whole wave has finished.
    case barrier
    /// At most `width` tasks in flight; the next starts as soon as one finishes.
    case rolling
}
