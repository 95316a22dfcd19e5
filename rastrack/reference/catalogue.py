"""Reference data loaded by data migration and restored by tests after a flush.

Regions: the seven NHS England regions. Procedures: robotic operations across the JCST
specialties and obstetrics and gynaecology (45), each with its OPCS-4 code, an optional
SNOMED CT concept id and ordered steps.

Sources:
- Steps of robot-assisted radical prostatectomy: the ERUS modular training programme
  (Mottrie et al., "Objective assessment of intraoperative skills for robot-assisted radical
  prostatectomy", Eur Urol 2018; Volpe et al., Eur Urol 2015). Other procedures: the steps a
  trainee is given one at a time at the console in modular training, framed by docking and
  undocking (BIARGS bedside items); colorectal steps follow the EARCS curriculum's modules.
- Codes: OPCS-4.10 (NHS England Classifications, TRUD), the operation's code; Hospital
  Episode Statistics mark the robotic approach with Y75.3 beside it (ROBOTIC_APPROACH).
  SNOMED CT ids are given only where the concept is certain. The codes were drafted for the
  catalogue and are data: a programme admin corrects one through PATCH /api/v1/procedures/,
  which keeps the version it replaces.
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

# Each procedure: code, name, specialty, subspecialty (general surgery only), OPCS-4 code of
# the operation (its robotic approach is coded beside it with Y75.3, ROBOTIC_APPROACH),
# optional SNOMED CT concept id, and its steps in order.
ROBOTIC_APPROACH = "Y75.3"

PROCEDURES: list[dict] = [
    {"code": 'rarp', "name": 'Robot-assisted radical prostatectomy', "specialty": 'urology', "subspecialty": '', "opcs4": 'M61.1',
     "snomed": '90470006', "source": 'ERUS RARP modular training programme (Mottrie et al., Eur Urol 2018)', "steps": [
         _DOCK,
         'Bladder detachment',
         'Endopelvic fascia incision',
         'Bladder neck dissection',
         'Vasa and seminal vesicles dissection',
         'Posterior plane dissection',
         'Lateral pedicles',
         'Santorini plexus control',
         'Neurovascular bundle preservation',
         'Apical dissection',
         'Urethrovesical anastomosis',
         _UNDOCK]},
    {"code": 'rapn', "name": 'Robot-assisted partial nephrectomy', "specialty": 'urology', "subspecialty": '', "opcs4": 'M03.8',
     "snomed": '', "steps": [
         _DOCK,
         'Colon mobilisation',
         'Hilar dissection',
         'Tumour exposure and margin scoring',
         'Hilar clamping',
         'Tumour excision',
         'Renorrhaphy',
         'Unclamping and haemostasis',
         _UNDOCK]},
    {"code": 'rarc', "name": 'Robot-assisted radical cystectomy', "specialty": 'urology', "subspecialty": '', "opcs4": 'M34.3',
     "snomed": '', "steps": [
         _DOCK,
         'Ureteric dissection',
         'Posterior dissection',
         'Lateral pedicles',
         'Anterior dissection and urethral division',
         'Pelvic lymph node dissection',
         'Urinary diversion',
         _UNDOCK]},
    {"code": 'pyeloplasty', "name": 'Robot-assisted pyeloplasty', "specialty": 'urology', "subspecialty": '', "opcs4": 'M16.2',
     "snomed": '', "steps": [
         _DOCK,
         'Exposure of pelviureteric junction',
         'Dismembering the pelvis',
         'Ureteric spatulation',
         'Stent placement',
         'Anastomosis',
         _UNDOCK]},
    {"code": 'radical-nephrectomy', "name": 'Robot-assisted radical nephrectomy', "specialty": 'urology', "subspecialty": '', "opcs4": 'M02.2',
     "snomed": '', "steps": [
         _DOCK,
         'Colon mobilisation',
         'Ureter and gonadal vein identification',
         'Hilar dissection',
         'Hilar control and division',
         'Upper pole and adrenal plane',
         'Specimen extraction',
         _UNDOCK]},
    {"code": 'anterior-resection', "name": 'Robotic anterior resection (total mesorectal excision)', "specialty": 'general', "subspecialty": 'colorectal', "opcs4": 'H33.4',
     "snomed": '', "steps": [
         _DOCK,
         'Medial-to-lateral mobilisation',
         'Inferior mesenteric artery ligation',
         'Splenic flexure mobilisation',
         'Mesorectal dissection',
         'Rectal transection',
         'Anastomosis',
         _UNDOCK]},
    {"code": 'right-hemicolectomy', "name": 'Robotic right hemicolectomy', "specialty": 'general', "subspecialty": 'colorectal', "opcs4": 'H07.9',
     "snomed": '', "steps": [
         _DOCK,
         'Ileocolic pedicle ligation',
         'Medial-to-lateral mobilisation',
         'Hepatic flexure mobilisation',
         'Intracorporeal anastomosis',
         'Mesenteric defect closure',
         _UNDOCK]},
    {"code": 'apr', "name": 'Robotic abdominoperineal resection', "specialty": 'general', "subspecialty": 'colorectal', "opcs4": 'H33.1',
     "snomed": '', "steps": [
         _DOCK,
         'Inferior mesenteric artery ligation',
         'Mesorectal dissection',
         'Levator transection',
         'End colostomy formation',
         _UNDOCK]},
    {"code": 'rectopexy', "name": 'Robotic ventral mesh rectopexy', "specialty": 'general', "subspecialty": 'colorectal', "opcs4": 'H35.3',
     "snomed": '', "steps": [
         _DOCK,
         'Peritoneal incision',
         'Rectovaginal septum dissection',
         'Mesh fixation',
         'Peritoneal closure',
         _UNDOCK]},
    {"code": 'hysterectomy', "name": 'Robotic total hysterectomy', "specialty": 'obstetrics_gynaecology', "subspecialty": '', "opcs4": 'Q07.4',
     "snomed": '', "steps": [
         _DOCK,
         'Round ligament division',
         'Ureter identification',
         'Uterine vessel control',
         'Bladder flap development',
         'Colpotomy',
         'Vaginal cuff closure',
         _UNDOCK]},
    {"code": 'sacrocolpopexy', "name": 'Robotic sacrocolpopexy', "specialty": 'obstetrics_gynaecology', "subspecialty": '', "opcs4": 'P24.2',
     "snomed": '', "steps": [
         _DOCK,
         'Sacral promontory exposure',
         'Vesicovaginal dissection',
         'Rectovaginal dissection',
         'Mesh attachment to the vagina',
         'Sacral fixation',
         'Peritoneal closure',
         _UNDOCK]},
    {"code": 'endometriosis', "name": 'Robotic excision of deep endometriosis', "specialty": 'obstetrics_gynaecology', "subspecialty": '', "opcs4": 'T42.1',
     "snomed": '', "steps": [
         _DOCK,
         'Ureterolysis',
         'Pararectal space development',
         'Excision of nodules',
         'Bowel shaving or resection',
         _UNDOCK]},
    {"code": 'inguinal-hernia', "name": 'Robotic inguinal hernia repair (TAPP)', "specialty": 'general', "subspecialty": 'upper_gi', "opcs4": 'T20.2',
     "snomed": '', "steps": [
         _DOCK,
         'Peritoneal flap creation',
         'Hernia sac reduction',
         'Myopectineal orifice dissection',
         'Mesh placement',
         'Peritoneal flap closure',
         _UNDOCK]},
    {"code": 'ventral-hernia', "name": 'Robotic ventral hernia repair', "specialty": 'general', "subspecialty": 'upper_gi', "opcs4": 'T27.1',
     "snomed": '', "steps": [
         _DOCK,
         'Adhesiolysis',
         'Retromuscular plane development',
         'Defect closure',
         'Mesh placement',
         _UNDOCK]},
    {"code": 'cholecystectomy', "name": 'Robotic cholecystectomy', "specialty": 'general', "subspecialty": 'upper_gi', "opcs4": 'J18.3',
     "snomed": '38102005', "steps": [
         _DOCK,
         "Calot's triangle dissection",
         'Critical view of safety',
         'Cystic duct and artery division',
         'Gallbladder dissection from the liver bed',
         _UNDOCK]},
    {"code": 'fundoplication', "name": 'Robotic Nissen fundoplication', "specialty": 'general', "subspecialty": 'upper_gi', "opcs4": 'G24.3',
     "snomed": '', "steps": [
         _DOCK,
         'Hiatal dissection',
         'Short gastric vessel division',
         'Crural repair',
         'Fundal wrap',
         _UNDOCK]},
    {"code": 'oesophagectomy', "name": 'Robotic Ivor Lewis oesophagectomy', "specialty": 'general', "subspecialty": 'upper_gi', "opcs4": 'G01.1',
     "snomed": '', "steps": [
         _DOCK,
         'Abdominal phase: gastric mobilisation',
         'Gastric conduit formation',
         'Thoracic phase: oesophageal mobilisation',
         'Lymphadenectomy',
         'Intrathoracic anastomosis',
         _UNDOCK]},
    {"code": 'distal-pancreatectomy', "name": 'Robotic distal pancreatectomy', "specialty": 'general', "subspecialty": 'hpb', "opcs4": 'J57.3',
     "snomed": '', "steps": [
         _DOCK,
         'Lesser sac entry',
         'Splenic vessel dissection',
         'Pancreatic transection',
         'Retroperitoneal dissection',
         _UNDOCK]},
    {"code": 'whipple', "name": 'Robotic pancreaticoduodenectomy', "specialty": 'general', "subspecialty": 'hpb', "opcs4": 'J56.2',
     "snomed": '', "steps": [
         _DOCK,
         'Kocher manoeuvre',
         'Portal dissection and cholecystectomy',
         'Pancreatic neck transection',
         'Uncinate process dissection',
         'Pancreaticojejunostomy',
         'Hepaticojejunostomy',
         'Gastrojejunostomy',
         _UNDOCK]},
    {"code": 'liver-resection', "name": 'Robotic liver resection', "specialty": 'general', "subspecialty": 'hpb', "opcs4": 'J02.9',
     "snomed": '', "steps": [
         _DOCK,
         'Liver mobilisation',
         'Intraoperative ultrasound',
         'Inflow control',
         'Parenchymal transection',
         'Haemostasis and bile leak check',
         _UNDOCK]},
    {"code": 'lobectomy', "name": 'Robotic pulmonary lobectomy', "specialty": 'cardiothoracic', "subspecialty": '', "opcs4": 'E54.3',
     "snomed": '173171007', "steps": [
         _DOCK,
         'Fissure dissection',
         'Pulmonary artery branch division',
         'Pulmonary vein division',
         'Bronchus division',
         'Mediastinal lymph node dissection',
         _UNDOCK]},
    {"code": 'thymectomy', "name": 'Robotic thymectomy', "specialty": 'cardiothoracic', "subspecialty": '', "opcs4": 'B03.9',
     "snomed": '', "steps": [
         _DOCK,
         'Pericardial fat dissection',
         'Phrenic nerve identification',
         'Thymic vein division',
         'Thymus extraction',
         _UNDOCK]},
    {"code": 'tors', "name": 'Transoral robotic surgery (TORS) for oropharyngeal cancer', "specialty": 'otolaryngology', "subspecialty": '', "opcs4": 'F34.9',
     "snomed": '', "steps": [
         _DOCK,
         'Exposure with retractor',
         'Mucosal incision',
         'Constrictor dissection',
         'Tumour resection with margins',
         'Haemostasis',
         _UNDOCK]},
    {"code": 'simple-prostatectomy', "name": 'Robot-assisted simple prostatectomy', "specialty": 'urology', "subspecialty": '', "opcs4": 'M64.8',
     "snomed": '', "steps": [
         _DOCK,
         'Bladder opening',
         'Adenoma enucleation',
         'Trigonisation',
         'Bladder closure',
         _UNDOCK]},
    {"code": 'nephroureterectomy', "name": 'Robot-assisted nephroureterectomy', "specialty": 'urology', "subspecialty": '', "opcs4": 'M02.1',
     "snomed": '', "steps": [
         _DOCK,
         'Colon mobilisation',
         'Hilar control',
         'Ureteric dissection',
         'Bladder cuff excision',
         'Bladder closure',
         _UNDOCK]},
    {"code": 'adrenalectomy', "name": 'Robotic adrenalectomy', "specialty": 'general', "subspecialty": 'endocrine', "opcs4": 'B22.2',
     "snomed": '', "steps": [
         _DOCK,
         'Adrenal exposure',
         'Adrenal vein control',
         'Gland dissection',
         'Specimen extraction',
         _UNDOCK]},
    {"code": 'sleeve-gastrectomy', "name": 'Robotic sleeve gastrectomy', "specialty": 'general', "subspecialty": 'bariatric', "opcs4": 'G28.5',
     "snomed": '', "steps": [
         _DOCK,
         'Greater curve devascularisation',
         'Gastric sizing over bougie',
         'Stapled sleeve formation',
         'Staple-line check',
         _UNDOCK]},
    {"code": 'gastric-bypass', "name": 'Robotic Roux-en-Y gastric bypass', "specialty": 'general', "subspecialty": 'bariatric', "opcs4": 'G30.3',
     "snomed": '', "steps": [
         _DOCK,
         'Gastric pouch formation',
         'Biliopancreatic limb measurement',
         'Gastrojejunostomy',
         'Jejunojejunostomy',
         'Mesenteric defect closure',
         _UNDOCK]},
    {"code": 'gastrectomy', "name": 'Robotic radical gastrectomy', "specialty": 'general', "subspecialty": 'upper_gi', "opcs4": 'G27.1',
     "snomed": '', "steps": [
         _DOCK,
         'Omentectomy',
         'D2 lymphadenectomy',
         'Duodenal transection',
         'Gastric transection',
         'Roux-en-Y reconstruction',
         _UNDOCK]},
    {"code": 'hiatus-hernia', "name": 'Robotic hiatus hernia repair', "specialty": 'general', "subspecialty": 'upper_gi', "opcs4": 'T16.1',
     "snomed": '', "steps": [
         _DOCK,
         'Hernia sac reduction',
         'Mediastinal dissection',
         'Crural repair',
         'Fundoplication',
         _UNDOCK]},
    {"code": 'sigmoid-colectomy', "name": 'Robotic sigmoid colectomy', "specialty": 'general', "subspecialty": 'colorectal', "opcs4": 'H10.4',
     "snomed": '', "steps": [
         _DOCK,
         'Medial-to-lateral mobilisation',
         'Inferior mesenteric artery ligation',
         'Splenic flexure mobilisation',
         'Distal transection',
         'Colorectal anastomosis',
         _UNDOCK]},
    {"code": 'left-hemicolectomy', "name": 'Robotic left hemicolectomy', "specialty": 'general', "subspecialty": 'colorectal', "opcs4": 'H09.1',
     "snomed": '', "steps": [
         _DOCK,
         'Inferior mesenteric vein ligation',
         'Splenic flexure mobilisation',
         'Left colic pedicle ligation',
         'Anastomosis',
         _UNDOCK]},
    {"code": 'donor-nephrectomy', "name": 'Robotic living donor nephrectomy', "specialty": 'general', "subspecialty": 'transplant', "opcs4": 'M02.5',
     "snomed": '', "steps": [
         _DOCK,
         'Colon mobilisation',
         'Ureter and gonadal vein dissection',
         'Renal artery and vein dissection',
         'Hilar division',
         'Graft extraction',
         _UNDOCK]},
    {"code": 'kidney-transplant', "name": 'Robot-assisted kidney transplantation', "specialty": 'general', "subspecialty": 'transplant', "opcs4": 'M01.2',
     "snomed": '', "steps": [
         _DOCK,
         'External iliac vessel dissection',
         'Graft introduction with cooling',
         'Venous anastomosis',
         'Arterial anastomosis',
         'Ureteroneocystostomy',
         _UNDOCK]},
    {"code": 'nipple-sparing-mastectomy', "name": 'Robotic nipple-sparing mastectomy', "specialty": 'general', "subspecialty": 'breast', "opcs4": 'B27.5',
     "snomed": '', "steps": [
         'Incision and single-port docking',
         'Subcutaneous flap dissection',
         'Retromammary dissection',
         'Specimen extraction',
         'Reconstruction with implant',
         _UNDOCK]},
    {"code": 'myomectomy', "name": 'Robotic myomectomy', "specialty": 'obstetrics_gynaecology', "subspecialty": '', "opcs4": 'Q09.3',
     "snomed": '', "steps": [
         _DOCK,
         'Uterine incision',
         'Fibroid enucleation',
         'Multilayer myometrial closure',
         'Specimen retrieval',
         _UNDOCK]},
    {"code": 'radical-hysterectomy', "name": 'Robotic radical hysterectomy', "specialty": 'obstetrics_gynaecology', "subspecialty": '', "opcs4": 'Q07.1',
     "snomed": '', "steps": [
         _DOCK,
         'Pelvic lymph node dissection',
         'Paravesical and pararectal space development',
         'Ureteric tunnel dissection',
         'Parametrial resection',
         'Colpotomy and vaginal cuff closure',
         _UNDOCK]},
    {"code": 'segmentectomy', "name": 'Robotic anatomical lung segmentectomy', "specialty": 'cardiothoracic', "subspecialty": '', "opcs4": 'E54.4',
     "snomed": '', "steps": [
         _DOCK,
         'Hilar dissection',
         'Segmental artery division',
         'Segmental vein division',
         'Segmental bronchus division',
         'Intersegmental plane division',
         _UNDOCK]},
    {"code": 'oesophageal-myotomy', "name": 'Robotic Heller myotomy', "specialty": 'general', "subspecialty": 'upper_gi', "opcs4": 'G17.1',
     "snomed": '', "steps": [
         _DOCK,
         'Hiatal dissection',
         'Anterior oesophageal exposure',
         'Myotomy',
         'Partial fundoplication',
         _UNDOCK]},
    {"code": 'mitral-valve-repair', "name": 'Robotic mitral valve repair', "specialty": 'cardiothoracic', "subspecialty": '', "opcs4": 'K34.1',
     "snomed": '', "steps": [
         'Peripheral cannulation and bypass',
         _DOCK,
         'Left atriotomy',
         'Leaflet repair',
         'Annuloplasty ring',
         'Closure and de-airing',
         _UNDOCK]},
    {"code": 'tors-base-of-tongue', "name": 'Transoral robotic base of tongue resection', "specialty": 'otolaryngology', "subspecialty": '', "opcs4": 'F08.2',
     "snomed": '', "steps": [
         'Exposure with retractor and docking',
         'Mucosal incision',
         'Lingual artery control',
         'Tumour resection with margins',
         'Haemostasis',
         'Undocking']},
    {"code": 'pediatric-pyeloplasty', "name": 'Robot-assisted paediatric pyeloplasty', "specialty": 'paediatric', "subspecialty": '', "opcs4": 'M16.2',
     "snomed": '', "steps": [
         _DOCK,
         'Exposure of pelviureteric junction',
         'Dismembering the pelvis',
         'Ureteric spatulation',
         'Stent placement',
         'Anastomosis',
         _UNDOCK]},
    {"code": 'fundoplication-paediatric', "name": 'Robot-assisted paediatric fundoplication', "specialty": 'paediatric', "subspecialty": '', "opcs4": 'G24.3',
     "snomed": '', "steps": [
         _DOCK,
         'Hiatal dissection',
         'Crural repair',
         'Fundal wrap',
         _UNDOCK]},
    {"code": 'transoral-thyroidectomy', "name": 'Robotic transaxillary thyroidectomy', "specialty": 'otolaryngology', "subspecialty": '', "opcs4": 'B08.1',
     "snomed": '', "steps": [
         'Axillary incision and flap',
         _DOCK,
         'Recurrent laryngeal nerve identification',
         'Parathyroid preservation',
         'Lobectomy',
         'Undocking and closure']},
    {"code": 'aortofemoral-bypass', "name": 'Robot-assisted aorto-bifemoral bypass', "specialty": 'vascular', "subspecialty": '', "opcs4": 'L16.3',
     "snomed": '', "steps": [
         _DOCK,
         'Retroperitoneal aortic exposure',
         'Aortic clamping',
         'Proximal anastomosis',
         'Tunnelling to the groins',
         'Distal anastomoses',
         _UNDOCK]},
]

def load_reference_data(region_model, procedure_model, step_model) -> None:
    """Create or update regions and the procedure catalogue. Idempotent.

    Takes the models so that a data migration can pass its historical models.
    """
    for code, name in REGIONS:
        region_model.objects.update_or_create(code=code, defaults={"name": name})
    # An early migration's historical model lacks the later columns: fill what it has.
    columns = {f.name for f in procedure_model._meta.fields}
    for item in PROCEDURES:
        defaults = {k: item[k] for k in ("name", "specialty", "subspecialty", "opcs4", "snomed") if k in columns}
        procedure, _ = procedure_model.objects.update_or_create(code=item["code"], defaults=defaults)
        if "retired_in" in {f.name for f in step_model._meta.fields}:
            if procedure.version > 1:
                continue  # a programme admin maintains these steps now: the data file no longer does
            current = step_model.objects.filter(procedure=procedure, retired_in__isnull=True)
        else:
            current = step_model.objects.filter(procedure=procedure)
        for order, step in enumerate(item["steps"], start=1):
            current.update_or_create(procedure=procedure, order=order, defaults={"name": step})
