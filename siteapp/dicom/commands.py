"""CLI commands of the DICOM library: import, labels, demo-data, studies, masks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from siteapp.errors import UsageError

#: Files listed under each skip reason; the rest are counted (``--json`` lists all).
SKIPPED_SHOWN_PER_REASON = 5
#: ``import`` exits with this when files were given but not one image was imported.
NOTHING_IMPORTED_EXIT = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "import", help="import DICOM folders, DICOMDIR files or .zip archives",
        description="Index DICOM files (headers only; pixels stay in the files). "
        "Re-importing the same files adds nothing.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="DICOM files, folders (searched recursively), DICOMDIR files or .zip archives")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_import)

    labels = subparsers.add_parser("labels", help="import or export labels (CSV)")
    lsub = labels.add_subparsers(dest="labels_command", metavar="ACTION", required=True)
    li = lsub.add_parser("import", help="apply a CSV with PatientID or StudyInstanceUID, label")
    li.add_argument("csv", type=Path, metavar="CSV",
                    help="columns PatientID or StudyInstanceUID, and label (split optional)")
    li.add_argument("--task", default=None, help="accept only this task's label names")
    li.add_argument("--json", action="store_true", help="print one JSON object")
    li.set_defaults(func=_cmd_labels_import)
    le = lsub.add_parser("export", help="write all labels to a CSV")
    le.add_argument("csv", type=Path, metavar="CSV", help="the file to write")
    le.set_defaults(func=_cmd_labels_export)

    d = subparsers.add_parser("demo-data", help="write phantom DICOM studies for demos/tests")
    d.add_argument("out", type=Path, metavar="OUT",
                   help="folder that receives one sub-folder per site (site-1, site-2, ...)")
    d.add_argument("--sites", type=int, default=3, help="how many hospitals (default 3)")
    d.add_argument("--patients", type=int, default=120,
                   help="phantom patients per site, each with a labels.csv row (default 120)")
    d.add_argument("--seed", type=int, default=0,
                   help="phantom generator seed: the same seed writes the same files")
    d.add_argument("--task", default="lung-ct-nodule",
                   help="which kind of study to generate: chest-xray, lung-ct-nodule or "
                   "mammo-mass (default lung-ct-nodule)")
    d.add_argument("--slices", type=int, default=None, help="CT slices or MG views per patient")
    d.add_argument("--masks", action="store_true",
                   help="also write each patient's lesion mask as DICOM SEG beside the images "
                   "(lung-ct-nodule and mammo-mass; for segmentation tasks)")
    d.set_defaults(func=_cmd_demo_data)

    c = subparsers.add_parser(
        "check-task", help="check this site's studies and labels against a task (spends nothing)",
        description="Say, one sentence each, how the imported studies, labels and splits do "
        "not fit the task; by default the task of the federation this site is enrolled in.",
    )
    which = c.add_mutually_exclusive_group()
    which.add_argument("--task", help="a task this site knows by name")
    which.add_argument("--task-file", type=Path, help="a task file (JSON or TOML)")
    c.set_defaults(func=_cmd_check_task)

    m = subparsers.add_parser(
        "masks", help="list the series that have lesion masks (DICOM SEG in the data folder)")
    m.add_argument("--json", action="store_true", help="print one JSON object")
    m.set_defaults(func=_cmd_masks)

    s = subparsers.add_parser("studies", help="list imported patients and their studies")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(func=_cmd_studies)


def _cmd_import(args: argparse.Namespace) -> int:
    from siteapp.dicom.importer import import_paths

    report = import_paths(args.data_dir, args.paths)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(report.summary())
        for reason, paths in report.skipped_by_reason().items():
            print(f"  {len(paths)} skipped: {reason}")
            for path in paths[:SKIPPED_SHOWN_PER_REASON]:
                print(f"      {path}")
            if len(paths) > SKIPPED_SHOWN_PER_REASON:
                print(f"      ... and {len(paths) - SKIPPED_SHOWN_PER_REASON} more "
                      "(--json lists every file)")
        for problem in report.mask_problems:
            print(f"  mask not stored: {problem['path']}: {problem['reason']}")
    if report.found_no_image() and not report.cancelled:
        print("medfed-site: no DICOM image was found in what you named; nothing was imported",
              file=sys.stderr)
        return NOTHING_IMPORTED_EXIT
    return 0


def _cmd_labels_import(args: argparse.Namespace) -> int:
    from siteapp.dicom.labels import LabelsFileError, import_labels

    try:
        result = import_labels(args.data_dir, args.csv, args.task)
    except LabelsFileError as exc:
        if not args.json:
            raise
        print(json.dumps({"applied": False, "errors": [e.to_json() for e in exc.errors]},
                         indent=2))
        return exc.exit_code
    if args.json:
        print(json.dumps({"applied": True, **result.to_json()}, indent=2))
    else:
        print(f"labelled {result.patients_labelled} patients and {result.studies_labelled} "
              f"studies; {result.splits_assigned} patients newly assigned to train/val")
    return 0


def _cmd_labels_export(args: argparse.Namespace) -> int:
    from siteapp.dicom.labels import export_labels

    count = export_labels(args.data_dir, args.csv)
    print(f"wrote {count} labels to {args.csv}")
    return 0


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from siteapp.dicom.phantom import PhantomError, generate_phantom_sites

    try:
        sites = generate_phantom_sites(args.out, args.sites, args.patients, args.seed,
                                       args.task, args.slices, masks=args.masks)
    except PhantomError as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:
        raise UsageError(f"cannot write phantom data to {args.out}: {exc.strerror}") from exc
    for site in sites:
        print(site)
    return 0


def _cmd_masks(args: argparse.Namespace) -> int:
    from siteapp.dicom.index import StudyIndex
    from siteapp.dicom.masks import mask_for_series, series_with_masks

    rows: list[dict[str, Any]] = []
    with StudyIndex(args.data_dir) as index:
        for series_uid in series_with_masks(index):
            mask = mask_for_series(index, series_uid)
            if mask is None:
                continue
            rows.append({
                "series_uid": series_uid, "source": mask.source, "segments": list(mask.segments),
                "images_masked": len(mask.frames),
                "images_with_region": sum(1 for f in mask.frames.values() if f.any()),
                "images": len(index.instances(series_uid)), "path": str(mask.path),
            })
    if args.json:
        print(json.dumps({"masks": rows}, indent=2))
        return 0
    print(f"{len(rows)} series with masks")
    for row in rows:
        print(f"  {row['series_uid']}  {row['source']:<17} {', '.join(row['segments'])}: "
              f"{row['images_masked']} of {row['images']} images masked, "
              f"{row['images_with_region']} with a region")
    return 0


def _cmd_studies(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from siteapp.dicom.index import StudyIndex

    with StudyIndex(args.data_dir) as index:
        patients = index.patients()
        if args.json:
            out = {"counts": index.counts(), "patients": [
                {**asdict(p), "studies": [asdict(s) for s in index.studies(p.patient_key)]}
                for p in patients]}
            print(json.dumps(out, indent=2, default=str))
            return 0
        counts = index.counts()
    sys.stdout.write(
        f"{counts['patients']} patients, {counts['studies']} studies, {counts['series']} series,"
        f" {counts['instances']} images, {counts['labelled_patients']} labelled\n"
    )
    columns = ("PatientID", "Name", "Label", "Split", "Studies", "Images", "Pseudonym")
    rows = [(p.patient_id or "-", p.display_name or "-", p.label or "-", p.split or "-",
             str(p.studies), str(p.instances), p.patient_key) for p in patients]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(columns)]
    for row in [columns, *rows]:
        sys.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
    return 0


def _cmd_check_task(args: argparse.Namespace) -> int:
    from siteapp.dicom.task_fit import task_fit_problems
    from siteapp.tasks import load_task, read_task_file

    if args.task_file is not None:
        task = read_task_file(args.task_file)
    elif args.task is not None:
        task = load_task(args.task, args.data_dir)
    else:
        from siteapp.federation.enrolment import current_enrolment

        enrolment = current_enrolment(args.data_dir)
        if enrolment is None:
            raise UsageError("this site is not enrolled in a federation; name a task with "
                             "--task or --task-file")
        task = load_task(enrolment.task, args.data_dir)
    problems = task_fit_problems(args.data_dir, task)
    if not problems:
        print(f"this site's data fit the task '{task.title}' ({task.name})")
        return 0
    print(f"this site's data do not fit the task '{task.title}' ({task.name}):")
    for problem in problems:
        print(f"  - {problem}")
    return 1
