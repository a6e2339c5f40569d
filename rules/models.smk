# The models' translations between planes (src/dmcombine/models/<name>/, registered in
# src/dmcombine/registry.py MODELS): one job writes every translated curve of every enabled model
# (each is milliseconds of work) and the spin-1 benchmarks' relic lines; the outputs come from the
# plan. Each file says "translation" and records the model, formula, constants and its source.


rule model_translate:
    input:
        job_files("model_translate"),
        card=job_card("model_translate"),
    output:
        planned_outputs("model_translate"),
    log:
        "logs/models.log",
    group:
        SUMMARIES
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("model_translate"),
    params:
        outputs=planned_output_options("model_translate"),
    shell:
        "dmcombine --log {log} model translate --card {input.card} {params.outputs}"
