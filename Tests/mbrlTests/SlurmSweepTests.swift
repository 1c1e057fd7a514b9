import Foundation
import XCTest

/// `mbrl sweep --launcher slurm` on the one-node Slurm cluster of the machine
/// (`.ci/slurm-local.sh`; `SLURM_CONF` names it): the same 2 × 2 sweep of the
/// quickstart config run as a job array and locally gives the same manifest,
/// runs and report; a sweep cancelled mid-way and resubmitted runs every run
/// exactly once; bad input is refused before anything is submitted. Without
/// `sbatch` the cluster tests skip, unless `MBRL_REQUIRE_SLURM=1` (CI).
final class SlurmSweepTests: XCTestCase {
    var temporary: URL!

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: temporary) }

    /// The quickstart config, shortened (2 short trials, a small ensemble and planner), swept over
    /// 2 planner horizons × seeds 0 and 1: 4 runs.
    let sweep = [repositoryRoot.appendingPathComponent("Configs/quickstart.yaml").path,
                 "seeds=[0, 1]", "sweep={grid: {planner.horizon: [4, 6]}}", "trials=3", "initial_random_steps=40", "trial_length=40",
                 "model.members=2", "model.elites=2", "model.hidden_size=16", "model.hidden_layers=2", "model.epochs_per_trial=2",
                 "planner.population=16", "planner.iterations=2", "planner.particles=2"]

    /// Skips (or fails, with `MBRL_REQUIRE_SLURM=1`) without a Slurm cluster to submit to.
    func requireSlurm() throws {
        let required = ProcessInfo.processInfo.environment["MBRL_REQUIRE_SLURM"] == "1"
        let sinfo = try? run(["sinfo", "-h", "-o", "%T"])
        guard let sinfo, sinfo.status == 0, !sinfo.stdout.isEmpty else {
            let reason = "no Slurm cluster: sinfo " + (sinfo.map { "failed: \($0.stderr)" } ?? "not on PATH")
                + " (start one with .ci/slurm-local.sh start and export SLURM_CONF)"
            if required { XCTFail("MBRL_REQUIRE_SLURM=1 but " + reason); throw XCTSkip(reason) }
            throw XCTSkip(reason)
        }
    }

    /// Runs a tool from `PATH`.
    func run(_ command: [String]) throws -> MBRLOutput {
        try runProcess(URL(fileURLWithPath: "/usr/bin/env"), command)
    }

    /// The job id in `submitted Slurm job N (array ...)`.
    func jobID(_ output: MBRLOutput) throws -> String {
        let line = try XCTUnwrap(output.stdout.split(separator: "\n").first { $0.hasPrefix("submitted Slurm job ") }, output.stdout + output.stderr)
        return String(line.split(separator: " ")[3])
    }

    /// Waits until `squeue` no longer lists job `id` (at most `timeout` seconds).
    func waitForJob(_ id: String, timeout: TimeInterval = 600) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let queue = try run(["squeue", "-h", "-j", id])
            if queue.status == 0 && queue.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            usleep(500_000)
        }
        XCTFail("Slurm job \(id) still in squeue after \(timeout) s")
    }

    /// The manifest's runs (as JSON objects), in order.
    func manifestRuns(_ directory: URL) throws -> [[String: Any]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(object["runs"] as? [[String: Any]])
    }

    /// `report.csv` of `mbrl report` over `sweep`, without the cost rows (timings) and with the
    /// sweep's own path taken out of the rows that name inputs.
    func reportRows(_ sweep: URL) throws -> [String] {
        let out = sweep.deletingLastPathComponent().appendingPathComponent(sweep.lastPathComponent + "-report")
        let result = try mbrl(["report", sweep.path, "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try String(contentsOf: out.appendingPathComponent("report.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("cost,") }
            .map { $0.replacingOccurrences(of: sweep.path, with: "SWEEP") }
    }

    func testASlurmSweepGivesTheManifestRunsAndReportOfTheSameSweepRunLocally() throws {
        try requireSlurm()
        let local = temporary.appendingPathComponent("local"), slurm = temporary.appendingPathComponent("slurm")
        var started = Date()
        var result = try mbrl(["sweep"] + sweep + ["--workers", "2", "--out", local.path, "--quiet"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        print(String(format: "SlurmSweepTests: local sweep of 4 runs, 2 workers: %.1f s", Date().timeIntervalSince(started)))

        started = Date()
        result = try mbrl(["sweep"] + sweep + ["--launcher", "slurm", "--max-parallel", "2", "--time", "00:10:00", "--out", slurm.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("slurm: array 0-3%2 (4 runs, at most 2 at once); partition (the cluster's default), time 00:10:00, 1 CPU(s) per run (default)"),
                      result.stdout)
        let id = try jobID(result)
        let script = try String(contentsOf: slurm.appendingPathComponent("slurm.sh"), encoding: .utf8)
        XCTAssertTrue(script.contains("#SBATCH --array=0-3%2\n#SBATCH --cpus-per-task=1\n#SBATCH --time=00:10:00\n"), script)
        XCTAssertTrue(script.contains("exec \(productsDirectory.appendingPathComponent("mbrl").path) sweep task \(slurm.path)\n"), script)
        let status = try mbrl(["sweep", "status", slurm.path])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("slurm job \(id): runs 0,1,2,3, submitted ") && status.stdout.contains("squeue: "), status.stdout)
        try waitForJob(id)
        print(String(format: "SlurmSweepTests: Slurm sweep of 4 runs, 2 at once: %.1f s", Date().timeIntervalSince(started)))

        // The manifests: the same runs, all done once; the Slurm one records its job and tasks.
        let localRuns = try manifestRuns(local), slurmRuns = try manifestRuns(slurm)
        XCTAssertEqual(slurmRuns.map { $0["id"] as? String }, ["p0_s0", "p0_s1", "p1_s0", "p1_s1"])
        for key in ["id", "state", "attempts", "directory", "seed", "variant"] {
            XCTAssertEqual(slurmRuns.map { $0[key].map { "\($0)" } }, localRuns.map { $0[key].map { "\($0)" } }, key)
        }
        XCTAssertEqual(slurmRuns.map { $0["overrides"] as? [String] }, localRuns.map { $0["overrides"] as? [String] })
        XCTAssertEqual(slurmRuns.map { $0["state"] as? String }, Array(repeating: "done", count: 4))
        XCTAssertEqual(Set(slurmRuns.map { $0["slurmTask"] as? String }), Set((0..<4).map { "\(id)_\($0)" }))
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: slurm.appendingPathComponent("manifest.json"))) as? [String: Any])
        let jobs = try XCTUnwrap(manifest["slurmJobs"] as? [[String: Any]])
        XCTAssertEqual(jobs.map { $0["id"] as? String }, [id])
        XCTAssertEqual(jobs.first?["indices"] as? [Int], [0, 1, 2, 3])

        // The runs: the same resolved configs and, seed for seed, the same metrics (timings aside).
        for run in slurmRuns {
            let directory = try XCTUnwrap(run["directory"] as? String)
            XCTAssertEqual(try String(contentsOf: slurm.appendingPathComponent(directory).appendingPathComponent("config.yaml"), encoding: .utf8),
                           try String(contentsOf: local.appendingPathComponent(directory).appendingPathComponent("config.yaml"), encoding: .utf8))
            let metrics = try metricsWithoutTimings(slurm.appendingPathComponent(directory))
            XCTAssertGreaterThan(metrics.count, 3, directory)
            XCTAssertEqual(metrics, try metricsWithoutTimings(local.appendingPathComponent(directory)), directory)
        }
        for index in 0..<4 {
            XCTAssertTrue(FileManager.default.fileExists(atPath: slurm.appendingPathComponent("logs/slurm-\(id)_\(index).out").path), "\(index)")
        }
        XCTAssertNotEqual(try metricsWithoutTimings(slurm.appendingPathComponent("runs/p0_s0")),
                          try metricsWithoutTimings(slurm.appendingPathComponent("runs/p0_s1")), "seeds 0 and 1 ran the same")

        // mbrl report over each sweep: the same tables but for the cost (timings).
        let slurmReport = try reportRows(slurm), localReport = try reportRows(local)
        XCTAssertGreaterThan(slurmReport.count, 10)
        XCTAssertEqual(slurmReport, localReport)

        // A run another process holds is refused; an array task whose run is done exits 0 without
        // running it again; so does a resubmission.
        let held = open(slurm.appendingPathComponent("locks/p1_s0.lock").path, O_RDWR)
        XCTAssertEqual(flock(held, LOCK_EX | LOCK_NB), 0)
        result = try mbrl(["sweep", "task", slurm.path, "--index", "2"])
        close(held)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("run p1_s0 of the sweep in \(slurm.path) is being run by another process"), result.stderr)
        let summary = try Data(contentsOf: slurm.appendingPathComponent("runs/p1_s0/summary.json"))
        result = try mbrl(["sweep", "task", slurm.path, "--index", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("p1_s0: done already; nothing to run"), result.stdout)
        result = try mbrl(["sweep"] + sweep + ["--launcher", "slurm", "--out", slurm.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("every run is done; nothing to submit"), result.stdout)
        XCTAssertEqual(try Data(contentsOf: slurm.appendingPathComponent("runs/p1_s0/summary.json")), summary)
        XCTAssertEqual(try manifestRuns(slurm).map { $0["attempts"] as? Int }, [1, 1, 1, 1])
    }

    func testASweepCancelledMidwayAndResubmittedRunsEveryRunExactlyOnce() throws {
        try requireSlurm()
        // Longer runs (25 trials, a few seconds each), one at a time, so that a run is cut off mid-way.
        let longer = sweep + ["trials=25"]
        let out = temporary.appendingPathComponent("cancelled")
        let submit = ["sweep"] + longer + ["--launcher", "slurm", "--max-parallel", "1", "--out", out.path]
        var result = try mbrl(submit)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let first = try jobID(result)

        // While the job runs: a second submission and a local sweep of the directory are refused.
        result = try mbrl(submit)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("Slurm job(s) \(first) of the sweep in \(out.path) are still queued or running"), result.stderr)
        result = try mbrl(["sweep"] + longer + ["--out", out.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("are still queued or running"), result.stderr)

        // Cancel once the first run is done and the second has run for a second (one run at a time).
        let deadline = Date().addingTimeInterval(300)
        var runningSince: Date?
        while Date() < deadline {
            let states = try manifestRuns(out).map { $0["state"] as? String }
            if states.contains("done") && states.contains("running") {
                runningSince = runningSince ?? Date()
                if Date().timeIntervalSince(runningSince!) > 1 { break }
            }
            usleep(100_000)
        }
        result = try mbrl(["sweep", "cancel", out.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("scancel \(first): waiting for the tasks to stop"), result.stdout)
        XCTAssertTrue(try run(["squeue", "-h", "-j", first]).stdout.isEmpty)
        var runs = try manifestRuns(out)
        let done = runs.indices.filter { runs[$0]["state"] as? String == "done" }
        print("SlurmSweepTests: cancelled with runs \(done) done; " + runs.map { "\($0["id"]!): \($0["state"]!) \($0["error"] ?? "")" }.joined(separator: "; "))
        XCTAssertFalse(done.isEmpty)
        XCTAssertLessThan(done.count, 4, "the job finished before it was cancelled: nothing to resubmit")
        XCTAssertEqual(runs.map { $0["state"] as? String }.filter { $0 != "done" }, Array(repeating: "pending", count: 4 - done.count))
        // The run cut off: stopped by its task between two steps, resumable from its checkpoint; the others never started.
        let cut = try XCTUnwrap(runs.firstIndex { ($0["error"] as? String ?? "").contains("stopped by SIGTERM to its Slurm task") },
                                "no run was cut off mid-way")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("runs/p\(cut / 2)_s\(cut % 2)/checkpoints/state.json").path))
        for index in runs.indices where !done.contains(index) && index != cut {
            XCTAssertEqual(runs[index]["error"] as? String, "cancelled by mbrl sweep cancel (job \(first))")
            XCTAssertEqual(runs[index]["attempts"] as? Int, 0)
        }
        let summaries = try done.map { try Data(contentsOf: out.appendingPathComponent("runs/p\($0 / 2)_s\($0 % 2)/summary.json")) }

        // Resubmit: only the runs not done.
        result = try mbrl(submit)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let second = try jobID(result)
        let rest = (0..<4).filter { !done.contains($0) }
        let script = try String(contentsOf: out.appendingPathComponent("slurm.sh"), encoding: .utf8)
        // Runs are done in index order one at a time, so the rest is one range (or one index).
        let array = rest.count == 1 ? "\(rest[0])" : "\(rest[0])-\(rest[rest.count - 1])"
        XCTAssertEqual(rest, Array(rest[0]...rest[rest.count - 1]))
        XCTAssertTrue(script.contains("#SBATCH --array=\(array)%1\n"), script)
        try waitForJob(second)

        // Every run done once: the runs done before were not touched, the others ran (or resumed) to the
        // end with the metrics of uninterrupted runs; each step logged once.
        runs = try manifestRuns(out)
        XCTAssertEqual(runs.map { $0["state"] as? String }, Array(repeating: "done", count: 4))
        for (index, data) in zip(done, summaries) {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("runs/p\(index / 2)_s\(index % 2)/summary.json")), data)
            XCTAssertEqual(runs[index]["attempts"] as? Int, 1)
            XCTAssertEqual(runs[index]["slurmTask"] as? String, "\(first)_\(index)")
        }
        for index in rest { XCTAssertEqual(runs[index]["slurmTask"] as? String, "\(second)_\(index)") }
        XCTAssertEqual(runs[cut]["attempts"] as? Int, 2)
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as? [String: Any])
        let jobs = try XCTUnwrap(manifest["slurmJobs"] as? [[String: Any]])
        XCTAssertEqual(jobs.map { $0["id"] as? String }, [first, second])
        XCTAssertNotNil(jobs[0]["cancelled"])
        XCTAssertEqual(jobs[1]["indices"] as? [Int], rest)
        let reference = temporary.appendingPathComponent("reference")
        result = try mbrl(["sweep"] + longer + ["--workers", "2", "--out", reference.path, "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for run in runs {
            let directory = try XCTUnwrap(run["directory"] as? String)
            let metrics = try metricsWithoutTimings(out.appendingPathComponent(directory))
            XCTAssertEqual(metrics, try metricsWithoutTimings(reference.appendingPathComponent(directory)), directory)
        }
    }

    func testBadInputIsRefusedBeforeAnythingIsSubmitted() throws {
        // A stand-in sbatch that records being called: none of these may reach it.
        let bin = temporary.appendingPathComponent("bin"), called = temporary.appendingPathComponent("sbatch-called")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\necho \"$@\" >> \(called.path)\necho 1\n".write(to: bin.appendingPathComponent("sbatch"), atomically: true, encoding: .utf8)
        chmod(bin.appendingPathComponent("sbatch").path, 0o755)
        let path = ["PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let out = temporary.appendingPathComponent("out")

        var result = try mbrl(["sweep"] + sweep + ["--launcher", "slurm", "--max-parallel", "0", "--out", out.path], environment: path)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--max-parallel must be at least 1 (runs at once), got 0"), result.stderr)
        result = try mbrl(["sweep"] + sweep + ["--launcher", "slurm", "--time", "2 hours", "--out", out.path], environment: path)
        XCTAssertTrue(result.stderr.contains("--time '2 hours' is not a Slurm time limit"), result.stderr)
        result = try mbrl(["sweep"] + sweep + ["--partition", "gpu", "--out", out.path], environment: path)
        XCTAssertTrue(result.stderr.contains("--partition applies to --launcher slurm"), result.stderr)

        // A sweep directory that cannot be created (its parent is a file).
        let file = temporary.appendingPathComponent("a-file")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        result = try mbrl(["sweep"] + sweep + ["--launcher", "slurm", "--out", file.appendingPathComponent("sweep").path], environment: path)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(file.path)/sweep: cannot create the sweep directory"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: called.path), "sbatch was called")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))

        // No sbatch on PATH: how to run the sweep here instead; nothing written.
        result = try mbrl(["sweep"] + sweep + ["--launcher", "slurm", "--out", out.path], environment: ["PATH": temporary.appendingPathComponent("none").path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("sbatch not found on PATH: --launcher slurm needs the Slurm client tools"), result.stderr)
        XCTAssertTrue(result.stderr.contains("to run the sweep on this machine instead, leave out --launcher slurm"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))

        // --dry-run prints the script and the settings without sbatch, writing nothing.
        result = try mbrl(["sweep"] + sweep + ["--launcher", "slurm", "--dry-run", "--max-parallel", "2", "--cpus-per-task", "2", "--mem", "2G",
                                               "--sbatch-arg", "--account=rl", "--out", out.path], environment: ["PATH": "/nonexistent"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("#!/bin/bash\n"), result.stdout)
        for line in ["#SBATCH --array=0-3%2", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=2G", "#SBATCH --account=rl",
                     "#SBATCH --chdir=\(out.path)", "#SBATCH --output=\(out.path)/logs/slurm-%A_%a.out",
                     "# would run: sbatch --parsable \(out.path)/slurm.sh"] {
            XCTAssertTrue(result.stdout.contains(line + "\n"), line + "\n" + result.stdout)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testANonexistentPartitionPassesOnSbatchsErrorWithTheCommand() throws {
        try requireSlurm()
        let out = temporary.appendingPathComponent("nopartition")
        let result = try mbrl(["sweep"] + sweep + ["--launcher", "slurm", "--partition", "no-such-partition", "--out", out.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("sbatch failed (exit status 1):"), result.stderr)
        XCTAssertTrue(result.stderr.lowercased().contains("invalid partition"), result.stderr)
        XCTAssertTrue(result.stderr.contains("command: sbatch --parsable \(out.path)/slurm.sh"), result.stderr)
        XCTAssertNil(try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as? [String: Any])["slurmJobs"])
    }
}
