"""Reference data loaded by data migration and restored by tests after a flush.

Regions: the seven NHS England regions. Procedures: common robotic operations across the
specialties that use RAS most, each with ordered steps. For radical prostatectomy the steps
are the ERUS modular-training steps; for the others, the steps trainees are
usually given one at a time at the console, framed by docking and undocking (BIARGS items).
"""

from __future__ import annotations

REGIONS: list[tuple[str, str]] = [
    ("east-of-england", "East of England"),
    ("london", "London"),
    ("midlands", "Midlands"),
    ("north-east-and-yorkshire", "North East and Yorkshire"),
    ("north-west", "North West"),
    ("south-east", "South East"),
    ("south-west", "South West"),
]

_DOCK = "Port placement and docking"
_UNDOCK = "Undocking and port closure"

# (code, name, specialty, [steps in order])
PROCEDURES: list[tuple[str, str, str, list[str]]] = [
    (
        "rarp",
        "Robot-assisted radical prostatectomy",
        "urology",
        [
            _DOCK,
            "Bladder detachment",
            "Endopelvic fascia incision",
            "Bladder neck dissection",
            "Vasa and seminal vesicles dissection",
            "Posterior plane dissection",
            "Lateral pedicles",
            "Santorini plexus control",
            "Neurovascular bundle preservation",
            "Apical dissection",
            "Urethrovesical anastomosis",
            _UNDOCK,
        ],
    ),
    (
        "rapn",
        "Robot-assisted partial nephrectomy",
        "urology",
        [_DOCK, "Colon mobilisation", "Hilar dissection", "Tumour exposure and margin scoring",
         "Hilar clamping", "Tumour excision", "Renorrhaphy", "Unclamping and haemostasis", _UNDOCK],
    ),
    (
        "rarc",
        "Robot-assisted radical cystectomy",
        "urology",
        [_DOCK, "Ureteric dissection", "Posterior dissection", "Lateral pedicles",
         "Anterior dissection and urethral division", "Pelvic lymph node dissection",
         "Urinary diversion", _UNDOCK],
    ),
    (
        "pyeloplasty",
        "Robot-assisted pyeloplasty",
        "urology",
        [_DOCK, "Exposure of pelviureteric junction", "Dismembering the pelvis",
         "Ureteric spatulation", "Stent placement", "Anastomosis", _UNDOCK],
    ),
    (
        "radical-nephrectomy",
        "Robot-assisted radical nephrectomy",
        "urology",
        [_DOCK, "Colon mobilisation", "Ureter and gonadal vein identification",
         "Hilar dissection", "Hilar control and division", "Upper pole and adrenal plane",
         "Specimen extraction", _UNDOCK],
    ),
    (
        "anterior-resection",
        "Robotic anterior resection (total mesorectal excision)",
        "colorectal",
        [_DOCK, "Medial-to-lateral mobilisation", "Inferior mesenteric artery ligation",
         "Splenic flexure mobilisation", "Mesorectal dissection", "Rectal transection",
         "Anastomosis", _UNDOCK],
    ),
    (
        "right-hemicolectomy",
        "Robotic right hemicolectomy",
        "colorectal",
        [_DOCK, "Ileocolic pedicle ligation", "Medial-to-lateral mobilisation",
         "Hepatic flexure mobilisation", "Intracorporeal anastomosis",
         "Mesenteric defect closure", _UNDOCK],
    ),
    (
        "apr",
        "Robotic abdominoperineal resection",
        "colorectal",
        [_DOCK, "Inferior mesenteric artery ligation", "Mesorectal dissection",
         "Levator transection", "End colostomy formation", _UNDOCK],
    ),
    (
        "rectopexy",
        "Robotic ventral mesh rectopexy",
        "colorectal",
        [_DOCK, "Peritoneal incision", "Rectovaginal septum dissection", "Mesh fixation",
         "Peritoneal closure", _UNDOCK],
    ),
    (
        "hysterectomy",
        "Robotic total hysterectomy",
        "gynaecology",
        [_DOCK, "Round ligament division", "Ureter identification", "Uterine vessel control",
         "Bladder flap development", "Colpotomy", "Vaginal cuff closure", _UNDOCK],
    ),
    (
        "sacrocolpopexy",
        "Robotic sacrocolpopexy",
        "gynaecology",
        [_DOCK, "Sacral promontory exposure", "Vesicovaginal dissection",
         "Rectovaginal dissection", "Mesh attachment to the vagina", "Sacral fixation",
         "Peritoneal closure", _UNDOCK],
    ),
    (
        "endometriosis",
        "Robotic excision of deep endometriosis",
        "gynaecology",
        [_DOCK, "Ureterolysis", "Pararectal space development", "Excision of nodules",
         "Bowel shaving or resection", _UNDOCK],
    ),
    (
        "inguinal-hernia",
        "Robotic inguinal hernia repair (TAPP)",
        "general_upper_gi",
        [_DOCK, "Peritoneal flap creation", "Hernia sac reduction", "Myopectineal orifice dissection",
         "Mesh placement", "Peritoneal flap closure", _UNDOCK],
    ),
    (
        "ventral-hernia",
        "Robotic ventral hernia repair",
        "general_upper_gi",
        [_DOCK, "Adhesiolysis", "Retromuscular plane development", "Defect closure",
         "Mesh placement", _UNDOCK],
    ),
    (
        "cholecystectomy",
        "Robotic cholecystectomy",
        "general_upper_gi",
        [_DOCK, "Calot's triangle dissection", "Critical view of safety",
         "Cystic duct and artery division", "Gallbladder dissection from the liver bed", _UNDOCK],
    ),
    (
        "fundoplication",
        "Robotic Nissen fundoplication",
        "general_upper_gi",
        [_DOCK, "Hiatal dissection", "Short gastric vessel division", "Crural repair",
         "Fundal wrap", _UNDOCK],
    ),
    (
        "oesophagectomy",
        "Robotic Ivor Lewis oesophagectomy",
        "general_upper_gi",
        [_DOCK, "Abdominal phase: gastric mobilisation", "Gastric conduit formation",
         "Thoracic phase: oesophageal mobilisation", "Lymphadenectomy",
         "Intrathoracic anastomosis", _UNDOCK],
    ),
    (
        "distal-pancreatectomy",
        "Robotic distal pancreatectomy",
        "hpb",
        [_DOCK, "Lesser sac entry", "Splenic vessel dissection", "Pancreatic transection",
         "Retroperitoneal dissection", _UNDOCK],
    ),
    (
        "whipple",
        "Robotic pancreaticoduodenectomy",
        "hpb",
        [_DOCK, "Kocher manoeuvre", "Portal dissection and cholecystectomy",
         "Pancreatic neck transection", "Uncinate process dissection",
         "Pancreaticojejunostomy", "Hepaticojejunostomy", "Gastrojejunostomy", _UNDOCK],
    ),
    (
        "liver-resection",
        "Robotic liver resection",
        "hpb",
        [_DOCK, "Liver mobilisation", "Intraoperative ultrasound", "Inflow control",
         "Parenchymal transection", "Haemostasis and bile leak check", _UNDOCK],
    ),
    (
        "lobectomy",
        "Robotic pulmonary lobectomy",
        "thoracic",
        [_DOCK, "Fissure dissection", "Pulmonary artery branch division",
         "Pulmonary vein division", "Bronchus division", "Mediastinal lymph node dissection",
         _UNDOCK],
    ),
    (
        "thymectomy",
        "Robotic thymectomy",
        "thoracic",
        [_DOCK, "Pericardial fat dissection", "Phrenic nerve identification",
         "Thymic vein division", "Thymus extraction", _UNDOCK],
    ),
    (
        "tors",
        "Transoral robotic surgery (TORS) for oropharyngeal cancer",
        "ent",
        [_DOCK, "Exposure with retractor", "Mucosal incision", "Constrictor dissection",
         "Tumour resection with margins", "Haemostasis", _UNDOCK],
    ),
]


def load_reference_data(region_model, procedure_model, step_model) -> None:
    """Create or update regions and the procedure catalogue. Idempotent.

    Takes the models so that a data migration can pass its historical models.
    """
    for code, name in REGIONS:
        region_model.objects.update_or_create(code=code, defaults={"name": name})
    for code, name, specialty, steps in PROCEDURES:
        procedure, _ = procedure_model.objects.update_or_create(
            code=code, defaults={"name": name, "specialty": specialty}
        )
        for order, step in enumerate(steps, start=1):
            step_model.objects.update_or_create(
                procedure=procedure, order=order, defaults={"name": step}
            )
