import Foundation
import SwellCore
import SwellPlan

/// `swell report`'s HTML: one self-contained file (inline CSS and SVG, no script, nothing
/// fetched) with the run's figures, its stages by wave, a timeline of every attempt on every
/// node's slot lanes, node use, the slowest tasks and the failures with their stderr tails.
///
/// Elements carry `data-` attributes with the figures they show, so that what a browser
/// renders can be checked against the journal.
package enum ReportPage {
    /// Up to this many attempts, the timeline draws each one; above it, each node's band shows
    /// how many of its lanes were busy over time (succeeded below, the rest above).
    package static let drawEachAttemptUpTo = 20_000
    /// Time steps of an aggregated band.
    static let bins = 400
    /// Failures listed in full; the rest are counted.
    static let failuresShown = 100
    /// The most bytes of a stderr tail shown per failure.
    static let stderrShown = 4_096
    /// The most characters of a command shown.
    static let commandShown = 600
    /// The slowest attempts listed.
    static let slowestShown = 10

    /// `logs` is the `swell logs` command that lists every report of the run (with the
    /// coordinator or state folder the report was made from).
    package static func html(_ timeline: RunTimeline, logs: String? = nil) -> String {
        var page = Page()
        page.logsCommand = logs ?? "swell logs \(timeline.digest.id)"
        page.head(timeline)
        page.figures(timeline)
        page.stages(timeline)
        page.chart(timeline)
        page.nodes(timeline)
        page.slowest(timeline)
        page.failures(timeline)
        page.plan(timeline)
        page.out += "</main></body></html>\n"
        return page.out
    }

    // MARK: Text

    /// `text` with HTML's special characters escaped (for element text and attribute values).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": out += "\u{FFFD}"
            // Direction controls would reorder what follows them (a scope could make its
            // neighbours read backwards): shown by name instead.
            case _ where TerminalText.isDirectionControl(character):
                out += "&lt;U+\(String(character.value, radix: 16, uppercase: true))&gt;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value < 1 { return "\(Int((value * 1_000).rounded()))ms" }
        if value < 10 { return String(format: "%.2fs", value) }
        return Durations.format(.milliseconds(Int((value * 1_000).rounded())))
    }

    static func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }

    static func clock(_ time: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate, .withSpaceBetweenDateAndTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: time)) + " UTC"
    }

    /// Axis steps of 1, 2 or 5 times a power of ten seconds, about `count` of them across `span`.
    static func tickStep(span: Double, count: Int = 8) -> Double {
        let raw = max(span, 0.001) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        for factor in [1.0, 2, 5, 10] where raw <= factor * magnitude { return factor * magnitude }
        return 10 * magnitude
    }

    static let style = """
        :root{--ok:#2e9d5b;--failed:#d64545;--timed-out:#e8882a;--cancelled:#9aa0a6;--retried:#e9bd2f;\
        --running:#4a90d9;--pending:#c8cdd3;--skipped:#dfe3e7;--ink:#1d232a;--muted:#5d6873;--line:#e3e7eb}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f6f7f9}
        main{max-width:1320px;margin:0 auto;padding:20px 24px 48px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
        .meta{color:var(--muted);margin:0 0 16px}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;vertical-align:3px}
        .st-succeeded{background:var(--ok)}.st-failed{background:var(--failed)}.st-cancelled{background:var(--cancelled)}
        .st-running{background:var(--running)}.st-budget-exhausted{background:var(--timed-out)}
        .st-pending{background:var(--pending);color:var(--ink)}.st-skipped{background:var(--skipped);color:var(--ink)}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
        .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}
        .card b{display:block;font-size:19px;white-space:nowrap;font-variant-numeric:tabular-nums}.card span{color:var(--muted);font-size:12px}
        table{border-collapse:collapse;background:#fff;border:1px solid var(--line);width:100%}
        th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        td.wrap{overflow-wrap:anywhere;min-width:10ch}.failure b,h1{overflow-wrap:anywhere}
        th{font-size:12px;color:var(--muted);font-weight:600;background:#fafbfc}
        td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        tr.wave td{background:#f0f3f6;font-weight:600;font-size:12px;color:var(--muted)}
        .panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px;overflow-x:auto}
        svg text{font:11px system-ui,sans-serif;fill:var(--ink)}svg .axis{fill:var(--muted)}
        .a.succeeded{fill:var(--ok)}.a.failed{fill:var(--failed)}.a.timed-out{fill:var(--timed-out)}
        .a.cancelled{fill:var(--cancelled)}.a.retried{fill:var(--retried)}.a.moved{stroke:#1f4fd1;stroke-width:1.2}
        .sg.succeeded{fill:var(--ok)}.sg.failed{fill:var(--failed)}.sg.running{fill:var(--running)}
        .sg.cancelled{fill:var(--cancelled)}.sg.pending,.sg.skipped{fill:var(--pending)}
        .agg-ok{fill:var(--ok)}.agg-bad{fill:var(--failed)}
        .share0{fill:#6b7a8c}.share1{fill:#b4bfcb}
        .wave-line{stroke:#7b8794;stroke-dasharray:4 3}.grid{stroke:var(--line)}
        .legend{display:flex;flex-wrap:wrap;gap:14px;color:var(--muted);font-size:12px;margin:6px 2px}
        .legend i{display:inline-block;width:12px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
        .bar{height:8px;background:var(--line);border-radius:4px;min-width:80px}.bar i{display:block;height:8px;border-radius:4px;background:var(--running)}
        .failure{background:#fff;border:1px solid var(--line);border-left:4px solid var(--failed);border-radius:6px;padding:8px 12px;margin:8px 0}
        .failure.timed-out{border-left-color:var(--timed-out)}.failure.cancelled{border-left-color:var(--cancelled)}
        .failure code,.cmd{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--muted);word-break:break-all}
        pre{margin:6px 0 0;padding:8px;background:#1d232a;color:#e8eaed;border-radius:4px;font:12px/1.4 ui-monospace,Menlo,monospace;\
        white-space:pre-wrap;word-break:break-all;max-height:260px;overflow:auto}
        details{margin-top:8px}summary{cursor:pointer;color:var(--muted)}
        .note{color:var(--muted);font-size:12px}
        """

    struct Page {
        var logsCommand = ""
        var out = ""

        mutating func head(_ t: RunTimeline) {
            let d = t.digest
            out += """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>\(escape(d.name)) · \(escape(d.id)) · swell report</title>
                <style>\(ReportPage.style)</style></head>
                <body><main id="report" data-run="\(escape(d.id))" data-status="\(d.status.rawValue)">
                <h1>\(escape(d.name)) <span class="badge st-\(d.status.rawValue)">\(d.status.rawValue)</span></h1>
                <p class="meta">run \(escape(d.id)) · \(escape(d.file)) · started \(clock(d.createdAt))\
                \(d.endedAt.map { " · ended " + clock($0) } ?? " · still running")\
                \(d.error.map { " · " + escape($0) } ?? "")</p>

                """
        }

        mutating func figures(_ t: RunTimeline) {
            let tasks = t.digest.stages.compactMap(\.tasks).reduce(0, +)
            let retried = t.attempts.filter { $0.outcome == .retried }.count
            let moved = t.attempts.filter(\.reassigned).count
            let lanes = t.nodes.reduce(0) { $0 + $1.lanes }
            let use = lanes == 0 ? 0 : t.taskSeconds / (Double(lanes) * max(t.wallSeconds, 0.001))
            let cards: [(String, String, String)] = [
                ("wall", seconds(t.wallSeconds), "wall time"),
                ("tasks", "\(t.finished) / \(tasks)", "tasks finished"),
                ("succeeded", "\(t.succeeded)", "succeeded"),
                ("failed", "\(t.failed)", "failed"),
                ("retried", "\(retried)", "attempts retried"),
                ("reassigned", "\(moved)", "attempts reassigned"),
                ("task-seconds", seconds(t.taskSeconds), "task-seconds"),
                ("utilisation", percent(use), "of \(lanes) lane\(lanes == 1 ? "" : "s") on \(t.nodes.count) node\(t.nodes.count == 1 ? "" : "s")"),
                ("p50", seconds(t.p50), "median task"),
                ("p95", seconds(t.p95), "95th percentile"),
                ("max", seconds(t.longest), "longest task"),
            ]
            out += "<section class=\"cards\" id=\"figures\">"
            for (key, value, caption) in cards {
                out += "<div class=\"card\" data-figure=\"\(key)\" data-value=\"\(escape(value))\"><b>\(escape(value))</b><span>\(escape(caption))</span></div>"
            }
            out += "</section>\n"
        }

        mutating func stages(_ t: RunTimeline) {
            out += """
                <h2>Stages</h2><table id="stages"><thead><tr><th>stage</th><th>status</th><th class="n">tasks</th>\
                <th class="n">succeeded</th><th class="n">failed</th><th class="n">attempts</th><th class="n">started</th>\
                <th class="n">took</th><th class="n">p50</th><th class="n">p95</th><th class="n">max</th></tr></thead><tbody>

                """
            for (w, ids) in t.waves.enumerated() {
                out += "<tr class=\"wave\"><td colspan=\"11\">wave \(w + 1)</td></tr>"
                for id in ids {
                    guard let s = t.stages.first(where: { $0.stage == id }) else { continue }
                    let started = s.startedAt.map { "+" + seconds($0 - t.start) } ?? "–"
                    let took = s.startedAt.map { seconds((s.endedAt ?? t.end) - $0) } ?? "–"
                    out += """
                        <tr data-stage="\(escape(s.stage))" data-status="\(s.status.rawValue)" data-tasks="\(s.tasks ?? 0)" \
                        data-succeeded="\(s.succeeded)" data-failed="\(s.failed)" data-attempts="\(s.attempts)">\
                        <td class="wrap">\(escape(s.stage))\(s.error.map { "<div class=\"note\">\(escape($0))</div>" } ?? "")</td>\
                        <td><span class="badge st-\(s.status.rawValue)">\(s.status.rawValue)</span></td>\
                        <td class="n">\(s.tasks.map(String.init) ?? "–")</td><td class="n">\(s.succeeded)</td><td class="n">\(s.failed)</td>\
                        <td class="n">\(s.attempts)</td><td class="n">\(started)</td><td class="n">\(took)</td>\
                        <td class="n">\(seconds(s.p50))</td><td class="n">\(seconds(s.p95))</td><td class="n">\(seconds(s.max))</td></tr>

                        """
                }
            }
            out += "</tbody></table>\n"
        }

        mutating func chart(_ t: RunTimeline) {
            let aggregated = !t.detailed
            let gutter = 170.0, plotWidth = 1100.0, width = gutter + plotWidth + 10
            let span = max(t.wallSeconds, 0.001)
            func x(_ time: Double) -> Double { gutter + min(max(time - t.start, 0), span) / span * plotWidth }
            let totalLanes = t.nodes.reduce(0) { $0 + $1.lanes }
            let laneHeight = min(14, max(3, 640 / Double(max(totalLanes, 1))))
            var body = ""
            var y = 22.0
            // Axis and grid.
            let step = ReportPage.tickStep(span: span)
            var grid = ""
            var tick = 0.0
            while tick <= span + step * 0.001 {
                let tx = x(t.start + tick)
                let label = tick < 1 ? "\(Int((tick * 1_000).rounded()))ms" : Durations.format(.milliseconds(Int((tick * 1_000).rounded())))
                grid += "<text class=\"axis\" x=\"\(f(tx))\" y=\"14\" text-anchor=\"middle\">\(label)</text>"
                tick += step
            }
            // Stages, by wave.
            var waveStarts: [(Int, Double)] = []
            for (w, ids) in t.waves.enumerated() {
                let starts = ids.compactMap { id in t.stages.first { $0.stage == id }?.startedAt }
                if let first = starts.min(), w > 0 { waveStarts.append((w + 1, first)) }
                for id in ids {
                    guard let s = t.stages.first(where: { $0.stage == id }) else { continue }
                    body += "<text x=\"4\" y=\"\(f(y + 10))\">W\(w + 1) \(escape(clip(s.stage, 22)))</text>"
                    if let started = s.startedAt {
                        let x0 = x(started), x1 = x(s.endedAt ?? t.end)
                        body += "<rect class=\"sg \(s.status.rawValue)\" x=\"\(f(x0))\" y=\"\(f(y + 2))\" width=\"\(f(max(x1 - x0, 1)))\" height=\"10\" rx=\"2\">"
                            + "<title>\(escape(s.stage)): \(s.status.rawValue), \(seconds((s.endedAt ?? t.end) - started))</title></rect>"
                    }
                    y += 14
                }
            }
            y += 6
            let chartTop = y
            // Nodes: a share strip, then lanes.
            let byNode = Dictionary(grouping: t.attempts, by: \.node)
            for node in t.nodes {
                let attempts = byNode[node.name] ?? []
                body += "<line class=\"grid\" x1=\"0\" x2=\"\(f(width))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
                body += "<text x=\"4\" y=\"\(f(y + 12))\" font-weight=\"600\">\(escape(clip(node.name, 24)))</text>"
                body += "<text class=\"axis\" x=\"4\" y=\"\(f(y + 25))\">\(node.lanes) lane\(node.lanes == 1 ? "" : "s") · \(percent(node.utilisation))</text>"
                let shareTop = y + 3
                body += shareStrip(attempts, top: shareTop, x: x)
                let lanesTop = y + 9
                let bandHeight = Double(node.lanes) * laneHeight
                if aggregated {
                    body += band(attempts, lanes: node.lanes, top: lanesTop, height: bandHeight, t: t, x: x)
                } else {
                    for a in attempts {
                        let x0 = x(a.start), x1 = x(a.end)
                        let ay = lanesTop + Double(a.lane) * laneHeight
                        body += "<rect class=\"a \(a.outcome.rawValue)\(a.reassigned ? " moved" : "")\" data-stage=\"\(escape(a.stage))\" "
                            + "x=\"\(f(x0))\" y=\"\(f(ay))\" width=\"\(f(max(x1 - x0, 0.6)))\" height=\"\(f(max(laneHeight - 1, 1.5)))\">"
                            + "<title>\(escape(a.label)) · attempt \(a.attempt) · \(escape(a.detail?.how ?? a.outcome.rawValue)) · \(seconds(a.seconds)) · \(escape(a.node)) lane \(a.lane + 1)"
                            + "\(a.reassigned ? " · reassigned" : "")</title></rect>"
                    }
                }
                y = lanesTop + max(bandHeight, 20) + 4
            }
            for (wave, start) in waveStarts {
                let wx = x(start)
                body += "<line class=\"wave-line\" x1=\"\(f(wx))\" x2=\"\(f(wx))\" y1=\"18\" y2=\"\(f(y))\"/>"
                    + (wx > width - 60
                        ? "<text class=\"axis\" x=\"\(f(wx - 3))\" y=\"\(f(chartTop - 2))\" text-anchor=\"end\">wave \(wave)</text>"
                        : "<text class=\"axis\" x=\"\(f(wx + 3))\" y=\"\(f(chartTop - 2))\">wave \(wave)</text>")
            }
            var ticks = ""
            tick = 0
            while tick <= span + step * 0.001 {
                let tx = f(x(t.start + tick))
                ticks += "<line class=\"grid\" x1=\"\(tx)\" x2=\"\(tx)\" y1=\"18\" y2=\"\(f(y))\"/>"
                tick += step
            }
            out += """
                <h2>Timeline</h2>
                <div class="legend"><span><i style="background:var(--ok)"></i>succeeded</span>\
                <span><i style="background:var(--failed)"></i>failed</span><span><i style="background:var(--timed-out)"></i>timed out</span>\
                <span><i style="background:var(--cancelled)"></i>cancelled</span><span><i style="background:var(--retried)"></i>retried</span>\
                <span><i style="background:#fff;border:1.5px solid #1f4fd1"></i>reassigned</span>\
                <span><i style="background:#6b7a8c"></i><i style="background:#b4bfcb"></i>shares</span>\
                <span>dashed: a wave starts</span></div>
                <div class="panel"><svg id="timeline" data-mode="\(aggregated ? "aggregated" : "attempts")" \
                xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(f(width)) \(f(y + 4))" style="width:100%;min-width:900px;height:auto">\
                \(ticks)\(grid)\(body)</svg></div>
                <p class="note">\(aggregated
                    ? "\(t.attempts.count) attempts: more than \(ReportPage.drawEachAttemptUpTo), so each node's band shows how many of its lanes were busy over time (succeeded below, the rest above) instead of one bar per attempt."
                    : "One bar per attempt, on its node's slot lane.") \
                Lanes are rebuilt from start and end times: a node's lane count is the most tasks it ran at once.</p>

                """
        }

        /// Each share's span on a node, shaded alternately.
        func shareStrip(_ attempts: [RunTimeline.Attempt], top: Double, x: (Double) -> Double) -> String {
            struct Key: Hashable { var stage: String; var share: Int }
            var spans: [Key: (start: Double, end: Double, tasks: Int)] = [:]
            var order: [Key] = []
            for a in attempts where a.index >= 0 && a.share >= 0 {
                let key = Key(stage: a.stage, share: a.share)
                if let s = spans[key] {
                    spans[key] = (min(s.start, a.start), max(s.end, a.end), s.tasks + 1)
                } else {
                    spans[key] = (a.start, a.end, 1)
                    order.append(key)
                }
            }
            var out = ""
            for (i, key) in order.enumerated() {
                let s = spans[key]!
                out += "<rect class=\"share\(i % 2)\" data-share=\"\(key.share + 1)\" x=\"\(f(x(s.start)))\" y=\"\(f(top))\" "
                    + "width=\"\(f(max(x(s.end) - x(s.start), 1)))\" height=\"4\"><title>\(escape(key.stage)) share \(key.share + 1): "
                    + "\(s.tasks) attempt\(s.tasks == 1 ? "" : "s"), \(seconds(s.end - s.start))</title></rect>"
            }
            return out
        }

        /// A node's busy lanes over time in `bins` steps: succeeded attempts from the bottom, the
        /// others stacked on them.
        func band(_ attempts: [RunTimeline.Attempt], lanes: Int, top: Double, height: Double, t: RunTimeline,
                  x: (Double) -> Double) -> String {
            let bins = ReportPage.bins
            let span = max(t.wallSeconds, 0.001), width = span / Double(bins)
            var ok = [Double](repeating: 0, count: bins), bad = ok
            for a in attempts {
                var from = max(a.start - t.start, 0)
                let to = min(max(a.end - t.start, from), span)
                while from < to {
                    let bin = min(Int(from / width), bins - 1)
                    let edge = min(Double(bin + 1) * width, to)
                    if a.outcome == .succeeded { ok[bin] += edge - from } else { bad[bin] += edge - from }
                    if edge <= from { break }
                    from = edge
                }
            }
            var okPath = "", badPath = ""
            let capacity = width * Double(max(lanes, 1))
            for bin in 0..<bins where ok[bin] + bad[bin] > 0 {
                let x0 = x(t.start + Double(bin) * width), w = x(t.start + Double(bin + 1) * width) - x0
                let hOk = min(ok[bin] / capacity, 1) * height
                let hBad = min(bad[bin] / capacity, 1) * height
                if hOk > 0 { okPath += "M\(f(x0)) \(f(top + height - hOk))h\(f(w))v\(f(hOk))h-\(f(w))z" }
                if hBad > 0 { badPath += "M\(f(x0)) \(f(top + height - hOk - hBad))h\(f(w))v\(f(hBad))h-\(f(w))z" }
            }
            return "<path class=\"agg-ok\" d=\"\(okPath)\"/><path class=\"agg-bad\" d=\"\(badPath)\"/>"
        }

        mutating func nodes(_ t: RunTimeline) {
            out += """
                <h2>Nodes</h2><table id="nodes"><thead><tr><th>node</th><th class="n">lanes</th><th class="n">attempts</th>\
                <th class="n">busy</th><th>utilisation (busy over lanes × wall)</th></tr></thead><tbody>
                """
            for n in t.nodes {
                out += """
                    <tr data-node="\(escape(n.name))" data-attempts="\(n.attempts)"><td class="wrap">\(escape(n.name))</td><td class="n">\(n.lanes)</td>\
                    <td class="n">\(n.attempts)</td><td class="n">\(seconds(n.busySeconds))</td><td><div style="display:flex;gap:8px;align-items:center">\
                    <div class="bar" style="flex:1"><i style="width:\(f(min(n.utilisation, 1) * 100))%"></i></div>\(percent(n.utilisation))</div></td></tr>
                    """
            }
            out += "</tbody></table>\n"
        }

        mutating func slowest(_ t: RunTimeline) {
            let slow = t.slowest
            guard !slow.isEmpty else { return }
            out += """
                <h2>Slowest attempts</h2><table id="slowest"><thead><tr><th>task</th><th>node</th><th class="n">attempt</th>\
                <th>outcome</th><th class="n">took</th></tr></thead><tbody>
                """
            for a in slow {
                out += """
                    <tr><td class="wrap">\(escape(a.label))<div class="cmd">\(escape(clip(a.detail?.command ?? "", 300)))</div></td><td class="wrap">\(escape(a.node))</td>\
                    <td class="n">\(a.attempt)</td><td>\(escape(a.detail?.how ?? a.outcome.rawValue))</td><td class="n">\(seconds(a.seconds))</td></tr>
                    """
            }
            out += "</tbody></table>\n"
        }

        mutating func failures(_ t: RunTimeline) {
            out += "<h2>Failures</h2><section id=\"failures\" data-count=\"\(t.failureCount)\">"
            if t.failureCount == 0 { out += "<p class=\"note\">No task failed.</p>" }
            for a in t.failures {
                let tail = a.detail?.stderrTail ?? Data()
                let cut = tail.count >= ReportPage.stderrShown ? "… (the last \(ReportPage.stderrShown) bytes of its stderr)\n" : ""
                out += """
                    <div class="failure \(a.outcome.rawValue)" data-stage="\(escape(a.stage))" data-index="\(a.index)">\
                    <b>\(escape(a.label))</b> · \(escape(a.detail?.how ?? a.outcome.rawValue)) · attempt \(a.attempt) on \(escape(a.node)) · \(seconds(a.seconds))\
                    <div><code>\(escape(a.detail?.command ?? ""))</code></div>
                    """
                if !tail.isEmpty { out += "<pre>\(escape(cut + String(decoding: tail, as: UTF8.self)))</pre>" }
                out += "</div>\n"
            }
            if t.failureCount > t.failures.count {
                out += "<p class=\"note\">and \(t.failureCount - t.failures.count) more: <code>\(escape(logsCommand))</code> shows them all.</p>"
            }
            out += "</section>\n"
        }

        mutating func plan(_ t: RunTimeline) {
            out += "<details><summary>Plan (\(escape(t.digest.file)))</summary><pre>\(escape(t.digest.planText))</pre></details>\n"
        }

        /// `text` cut to `limit` code points, with an ellipsis; direction controls become U+FFFD
        /// first, so that what is cut is what is drawn (escaped, each would take 8).
        func clip(_ text: String, _ limit: Int) -> String {
            var scalars = String.UnicodeScalarView()
            for (count, scalar) in text.unicodeScalars.enumerated() {
                if count == limit - 1, text.unicodeScalars.count > limit {
                    scalars.append("…")
                    break
                }
                scalars.append(TerminalText.isDirectionControl(scalar) ? "\u{FFFD}" : scalar)
            }
            return String(scalars)
        }
    }

    /// A coordinate with at most two decimals.
    static func f(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

private func f(_ value: Double) -> String { ReportPage.f(value) }
private func escape(_ text: String) -> String { ReportPage.escape(text) }
private func seconds(_ value: Double?) -> String { ReportPage.seconds(value) }
private func percent(_ value: Double) -> String { ReportPage.percent(value) }
private func clock(_ time: Double) -> String { ReportPage.clock(time) }
