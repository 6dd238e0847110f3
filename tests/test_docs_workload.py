"""docs/workload.md and the workload code do not drift apart."""

import re

from conftest import ROOT
from flopbook.models.workload import INFERENCE_FIELDS, TRAINING_FIELDS

DOC = (ROOT / "docs" / "workload.md").read_text()


def test_every_workload_field_is_documented_with_its_example():
    for fields in (TRAINING_FIELDS, INFERENCE_FIELDS):
        for name, spec in fields.items():
            row = next(
                line
                for line in DOC.splitlines()
                if line.startswith(f"| `{name}` |") and f"`{spec.example}`" in line
            )
            assert row, name


def test_every_option_of_the_new_commands_is_documented():
    import inspect

    from flopbook.cli.compare import compare_command

    for callback in (compare_command,):
        params = inspect.signature(callback).parameters
        for p in params:
            if p in ("chips", "fmt", "samples", "seed"):
                continue
            assert f"`--{p.replace('_', '-')}" in DOC, p


def test_the_python_examples_run():
    block = re.search(r"## Python\n\n```python\n(.*?)```", DOC, re.S).group(1)
    import os

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(block, "docs/workload.md", "exec"), {})  # noqa: S102 - our own docs
    finally:
        os.chdir(here)


def test_the_yaml_examples_are_files_that_run(tmp_path):
    from flopbook.claims import read_claims
    from flopbook.owned import run_document as run_owned
    from flopbook.quantity import sampling
    from flopbook.scenario import Document

    blocks = re.findall(r"```yaml\n(.*?)```", DOC, re.S)
    assert len(blocks) >= 3
    for i, block in enumerate(blocks):
        path = tmp_path / f"example{i}.yaml"
        path.write_text(block)
        if "{fleet: cluster.yaml" in block:  # a run priced from a fleet file beside it
            (tmp_path / "cluster.yaml").write_text(
                "skus:\n  - {chip: H800, count: 2048, server_cost_per_gpu: 35k USD/GPU}\n"
            )
        with sampling(50, 1):
            if block.startswith("kind:"):
                assert run_owned(Document.read(path)).rows
            else:
                assert read_claims(path)[1]
