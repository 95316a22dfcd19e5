from django.db import transaction

from rastrack.reference.catalogue import load_reference_data
from rastrack.reference.models import Procedure, ProcedureStep, Region, Site

# Several real hospitals with robotic programmes in each NHS England region.
DEMO_SITES = {
    "london": ["Guy's Hospital", "University College Hospital", "The Royal Marsden Hospital",
               "St Mary's Hospital", "Royal Free Hospital"],
    "north-west": ["The Christie", "Royal Liverpool University Hospital", "Salford Royal Hospital",
                   "Manchester Royal Infirmary"],
    "east-of-england": ["Addenbrooke's Hospital", "Norfolk and Norwich University Hospital",
                        "Lister Hospital"],
    "midlands": ["Queen Elizabeth Hospital Birmingham", "Nottingham City Hospital",
                 "Leicester General Hospital"],
    "north-east-and-yorkshire": ["Freeman Hospital", "St James's University Hospital",
                                 "Royal Hallamshire Hospital"],
    "south-east": ["Royal Surrey County Hospital", "Queen Alexandra Hospital", "Churchill Hospital"],
    "south-west": ["Southmead Hospital", "Royal Devon and Exeter Hospital", "Derriford Hospital"],
}


@transaction.atomic
def seed() -> None:
    load_reference_data(Region, Procedure, ProcedureStep)
    for code, names in DEMO_SITES.items():
        region = Region.objects.get(code=code)
        for name in names:
            Site.objects.get_or_create(region=region, name=name)
