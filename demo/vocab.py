"""Vocabulary of the demo data: French regions and cities, names, products, proportions.

Plain data, no Django: the generator draws from it with its own seeded random generator.
"""

# region → (weight among companies, cities, most populous first)
REGIONS: dict[str, tuple[float, list[str]]] = {
    "ile_de_france": (
        0.30,
        ["Paris", "Boulogne-Billancourt", "Nanterre", "Courbevoie", "Saint-Denis", "Issy-les-Moulineaux",
         "Versailles", "Créteil", "Montreuil", "Massy", "Rueil-Malmaison", "Argenteuil"],
    ),
    "auvergne_rhone_alpes": (
        0.14,
        ["Lyon", "Grenoble", "Saint-Étienne", "Villeurbanne", "Clermont-Ferrand", "Annecy", "Chambéry", "Valence"],
    ),
    "nouvelle_aquitaine": (0.07, ["Bordeaux", "Limoges", "Poitiers", "Mérignac", "Pau", "La Rochelle", "Bayonne"]),
    "occitanie": (0.07, ["Toulouse", "Montpellier", "Nîmes", "Perpignan", "Béziers", "Albi"]),
    "hauts_de_france": (
        0.07, ["Lille", "Amiens", "Roubaix", "Villeneuve-d'Ascq", "Tourcoing", "Dunkerque", "Valenciennes"]
    ),
    "provence_alpes_cote_azur": (
        0.07, ["Marseille", "Nice", "Toulon", "Aix-en-Provence", "Avignon", "Cannes", "Valbonne"]
    ),
    "grand_est": (0.06, ["Strasbourg", "Reims", "Metz", "Mulhouse", "Nancy", "Colmar", "Troyes"]),
    "pays_de_la_loire": (0.055, ["Nantes", "Angers", "Le Mans", "Saint-Nazaire", "Cholet", "La Roche-sur-Yon"]),
    "bretagne": (0.045, ["Rennes", "Brest", "Quimper", "Lorient", "Vannes", "Saint-Malo"]),
    "normandie": (0.04, ["Rouen", "Caen", "Le Havre", "Cherbourg-en-Cotentin", "Évreux"]),
    "centre_val_de_loire": (0.03, ["Tours", "Orléans", "Bourges", "Blois", "Chartres"]),
    "bourgogne_franche_comte": (0.03, ["Dijon", "Besançon", "Belfort", "Chalon-sur-Saône", "Auxerre"]),
    "corse": (0.004, ["Ajaccio", "Bastia"]),
    "outre_mer": (0.011, ["Saint-Denis (La Réunion)", "Fort-de-France", "Pointe-à-Pitre", "Cayenne", "Mamoudzou"]),
}  # fmt: skip

# Partners are even more concentrated around Paris and Lyon than their customers.
PARTNER_REGION_WEIGHTS = {
    "ile_de_france": 0.36, "auvergne_rhone_alpes": 0.16, "nouvelle_aquitaine": 0.06, "occitanie": 0.07,
    "hauts_de_france": 0.06, "provence_alpes_cote_azur": 0.06, "grand_est": 0.05, "pays_de_la_loire": 0.05,
    "bretagne": 0.04, "normandie": 0.03, "centre_val_de_loire": 0.02, "bourgogne_franche_comte": 0.02,
    "corse": 0.002, "outre_mer": 0.008,
}  # fmt: skip

NEIGHBOURS = {
    "ile_de_france": ["hauts_de_france", "normandie", "centre_val_de_loire", "grand_est", "bourgogne_franche_comte"],
    "auvergne_rhone_alpes": ["bourgogne_franche_comte", "provence_alpes_cote_azur", "occitanie", "nouvelle_aquitaine"],
    "nouvelle_aquitaine": ["occitanie", "pays_de_la_loire", "centre_val_de_loire", "auvergne_rhone_alpes"],
    "occitanie": ["nouvelle_aquitaine", "provence_alpes_cote_azur", "auvergne_rhone_alpes"],
    "hauts_de_france": ["ile_de_france", "normandie", "grand_est"],
    "provence_alpes_cote_azur": ["occitanie", "auvergne_rhone_alpes", "corse"],
    "grand_est": ["hauts_de_france", "ile_de_france", "bourgogne_franche_comte"],
    "pays_de_la_loire": ["bretagne", "normandie", "centre_val_de_loire", "nouvelle_aquitaine"],
    "bretagne": ["pays_de_la_loire", "normandie"],
    "normandie": ["ile_de_france", "hauts_de_france", "bretagne", "pays_de_la_loire", "centre_val_de_loire"],
    "centre_val_de_loire": ["ile_de_france", "pays_de_la_loire", "nouvelle_aquitaine", "bourgogne_franche_comte"],
    "bourgogne_franche_comte": ["grand_est", "auvergne_rhone_alpes", "ile_de_france", "centre_val_de_loire"],
    "corse": ["provence_alpes_cote_azur"],
    "outre_mer": ["ile_de_france"],
}

# Select accounts follow the top 50: many in luxury, industry and the public sector.
SELECT_SECTOR_WEIGHTS = {
    "luxury": 0.16, "industry": 0.25, "public_sector": 0.20, "banking": 0.05, "insurance": 0.05, "retail": 0.06,
    "healthcare": 0.07, "energy": 0.04, "telecom": 0.03, "transport": 0.04, "services": 0.05,
}  # fmt: skip
OTHER_SECTOR_WEIGHTS = {
    "luxury": 0.02, "industry": 0.14, "public_sector": 0.08, "banking": 0.08, "insurance": 0.07, "retail": 0.14,
    "healthcare": 0.09, "energy": 0.05, "telecom": 0.04, "transport": 0.07, "services": 0.22,
}  # fmt: skip
# Many select accounts barely know the vendor.
SELECT_AWARENESS = {"low": 0.62, "medium": 0.28, "high": 0.10}
OTHER_AWARENESS = {"low": 0.30, "medium": 0.40, "high": 0.30}

PARTNER_KIND_WEIGHTS = {"integrator": 0.36, "reseller": 0.30, "distributor": 0.05, "isv": 0.15, "msp": 0.14}
PARTNER_TIER_WEIGHTS = {"silver": 0.56, "gold": 0.32, "platinum": 0.12}
TIER_BUSINESS_WEIGHT = {"silver": 1.0, "gold": 2.5, "platinum": 5.0}
TIER_CAPACITY = {"silver": (8, 30), "gold": (25, 70), "platinum": (70, 180)}

# Product lines each kind of partner tends to specialise in.
KIND_SPECIALISATIONS = {
    "integrator": {"hybrid_cloud": 3, "ai": 3, "automation": 3, "data": 2, "infrastructure": 1, "security": 2},
    "reseller": {"hybrid_cloud": 2, "ai": 1, "automation": 1, "data": 1, "infrastructure": 3, "security": 2},
    "distributor": {"hybrid_cloud": 2, "ai": 1, "automation": 1, "data": 1, "infrastructure": 3, "security": 2},
    "isv": {"hybrid_cloud": 1, "ai": 4, "automation": 1, "data": 3, "infrastructure": 0.2, "security": 1},
    "msp": {"hybrid_cloud": 3, "ai": 1, "automation": 2, "data": 1, "infrastructure": 2, "security": 3},
}

# (median deal in EUR, spread) per product line; infrastructure (Power) deals are the big ones.
DEAL_SIZE = {
    "hybrid_cloud": (52_000, 0.85), "ai": (64_000, 0.95), "automation": (34_000, 0.8),
    "data": (45_000, 0.85), "infrastructure": (130_000, 0.8), "security": (38_000, 0.85),
}  # fmt: skip

PRODUCT_DEALS = {
    "hybrid_cloud": ["Red Hat OpenShift — modernisation applicative", "Red Hat Enterprise Linux — renouvellement",
                     "OpenShift Virtualization — sortie de la virtualisation historique", "Ansible — socle hybride"],
    "ai": ["watsonx.ai — assistant documentaire", "Granite — modèle spécialisé sur données internes",
           "watsonx Orchestrate — agents pour les RH", "watsonx.governance — conformité AI Act",
           "watsonx Orchestrate — agents pour le service client", "watsonx.ai — recherche augmentée (RAG)"],
    "automation": ["Terraform — industrialisation des déploiements", "Vault — gestion des secrets",
                   "Terraform Enterprise — plateforme d'ingénierie", "Vault — chiffrement des données"],
    "data": ["Astra DB — base vectorielle", "Entrepôt de données — migration", "watsonx.data — lakehouse",
             "Astra DB — plateforme temps réel"],
    "infrastructure": ["Serveurs Power — renouvellement du parc", "Power — consolidation SAP HANA",
                       "Stockage FlashSystem — extension", "Power — plan de reprise d'activité"],
    "security": ["QRadar — centre opérationnel de sécurité", "Guardium — protection des données",
                 "Verify — gestion des identités", "Chiffrement post-quantique — audit"],
}  # fmt: skip

SURNAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
    "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin",
    "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
    "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
    "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand", "Dufour", "Blanchard", "Marie", "Barbier", "Brun",
    "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron",
    "Aubert", "Giraud"
]  # fmt: skip
FIRST_NAMES = [
    "Camille", "Sophie", "Julien", "Léa", "Thomas", "Manon", "Nicolas", "Chloé", "Antoine", "Inès", "Maxime",
    "Sarah", "Hugo", "Emma", "Lucas", "Clara", "Louis", "Alice", "Romain", "Juliette", "Mathieu", "Pauline",
    "Guillaume", "Marie", "Alexandre", "Laura", "Pierre", "Anaïs", "Baptiste", "Élodie", "Vincent", "Claire",
    "Olivier", "Céline", "Karim", "Nadia", "Yann", "Sandrine", "Damien", "Amélie"
]  # fmt: skip

BRAND_HEADS = [
    "Axi", "Nova", "Cyber", "Data", "Lumi", "Néo", "Ori", "Quanti", "Syn", "Tera", "Veri", "Alti", "Cogni", "Infi",
    "Kali", "Opti", "Praxi", "Sigma", "Stra", "Vecto", "Arca", "Helio", "Metri", "Polar", "Zeni", "Alto", "Bleu",
    "Cap", "Digi", "Hexa", "Ino", "Kairo", "Logi", "Mistra", "Nexo", "Ocea", "Pixa", "Roca", "Soli", "Trans", "Uni",
    "Vali"
]  # fmt: skip
BRAND_TAILS = [
    "tek", "logic", "sys", "soft", "data", "net", "ware", "cloud", "nova", "lab", "code", "wave", "ops", "mind",
    "link", "gate", "com", "ia"
]  # fmt: skip
BRAND_QUALIFIERS = [
    "France", "Groupe", "Partners", "Europe", "Industries", "International", "Ouest", "Sud", "Est", "Nord",
    "Atlantique", "Méditerranée", "Alpes", "Centre"
]  # fmt: skip
PARTNER_NAME_FORMS = {
    "integrator": ["{brand} Intégration", "{brand} Consulting", "Groupe {brand}", "{brand} Digital", "{brand} Conseil"],
    "reseller": ["{brand} Solutions", "{brand} Informatique", "{brand} Systèmes", "{brand} IT"],
    "distributor": ["{brand} Distribution", "Groupe {brand} Distribution", "{brand} Supply"],
    "isv": ["{brand}", "{brand} Software", "{brand} AI", "{brand} Analytics"],
    "msp": ["{brand} Managed Services", "{brand} Cloud Services", "{brand} Infogérance", "{brand} Hosting"],
}

ACCOUNT_NAME_FORMS = {
    "luxury": ["Maison {surname}", "{surname} Joaillerie", "Parfums {surname}", "Atelier {surname}",
               "{surname} Maroquinerie", "Champagne {surname}", "Cristallerie de {city}", "Couture {surname}",
               "Horlogerie {surname}", "Cognac {surname}"],
    "industry": ["{surname} Industries", "Aciéries de {city}", "{surname} Mécanique", "Plasturgie {surname}",
                 "Fonderie {surname}", "{brand} Aéro", "Chantiers de {city}", "{surname} Composites",
                 "Usinage {surname}", "{brand} Robotique", "Forges de {city}"],
    "public_sector": ["Ville de {city}", "Métropole de {city}", "Communauté d'agglomération de {city}",
                      "Université de {city}", "Syndicat des eaux de {city}", "Rectorat de {city}",
                      "Centre de gestion de {city}", "Office public de l'habitat de {city}",
                      "Chambre de commerce de {city}", "Service départemental d'incendie de {city}",
                      "Lycée {person}", "Syndicat intercommunal {surname}", "Agence régionale {brand}",
                      "Établissement public {brand}", "Centre hospitalier {person}", "Campus {person}"],
    "banking": ["Banque {surname}", "Caisse régionale de {city}", "{surname} Gestion privée", "{brand} Finance",
                "Crédit mutuel de {city}"],
    "insurance": ["Mutuelle de {city}", "{surname} Assurances", "Prévoyance {surname}", "{brand} Assur",
                  "Mutuelle {surname}"],
    "retail": ["Galeries {surname}", "{surname} Distribution", "Les Halles de {city}", "{brand} Commerce",
               "Maison {surname} & Fils", "{surname} Bricolage"],
    "healthcare": ["Clinique {surname}", "CHU de {city}", "Laboratoires {surname}", "Groupe hospitalier de {city}",
                   "{brand} Santé", "Pharmacie centrale de {city}"],
    "energy": ["{surname} Énergies", "Régie d'électricité de {city}", "{brand} Watt", "Hydro {city}",
               "{brand} Renouvelables"],
    "telecom": ["{brand} Télécom", "{surname} Réseaux", "Fibre de {city}", "{brand} Mobile"],
    "transport": ["Transports {surname}", "Logistique {surname}", "Autocars de {city}", "{surname} Fret",
                  "{brand} Logistique", "Port de {city}"],
    "services": ["{surname} Conseil", "Cabinet {surname}", "{surname} Services", "{brand} Gestion",
                 "{surname} & Associés", "{brand} Facilities"],
}  # fmt: skip

ROADSHOW_THEMES = [
    "IA & agents", "Cloud hybride", "Automatisation", "Données & IA", "Sécurité", "Modernisation Power",
    "watsonx Tour", "Journée partenaires",
]  # fmt: skip

# ~30 stops: Paris most often, then the big regional cities.
ROADSHOW_CITIES = [
    ("Paris", "ile_de_france"), ("Lyon", "auvergne_rhone_alpes"), ("Paris", "ile_de_france"),
    ("Marseille", "provence_alpes_cote_azur"), ("Lille", "hauts_de_france"), ("Toulouse", "occitanie"),
    ("Paris", "ile_de_france"), ("Bordeaux", "nouvelle_aquitaine"), ("Nantes", "pays_de_la_loire"),
    ("Strasbourg", "grand_est"), ("Paris", "ile_de_france"), ("Grenoble", "auvergne_rhone_alpes"),
    ("Rennes", "bretagne"), ("Montpellier", "occitanie"), ("Nice", "provence_alpes_cote_azur"),
    ("Paris", "ile_de_france"), ("Lyon", "auvergne_rhone_alpes"), ("Rouen", "normandie"),
    ("Dijon", "bourgogne_franche_comte"), ("Tours", "centre_val_de_loire"), ("Paris", "ile_de_france"),
    ("Metz", "grand_est"), ("Clermont-Ferrand", "auvergne_rhone_alpes"), ("Lille", "hauts_de_france"),
    ("Paris", "ile_de_france"), ("Bordeaux", "nouvelle_aquitaine"), ("Toulouse", "occitanie"),
    ("Nantes", "pays_de_la_loire"), ("Paris", "ile_de_france"), ("Lyon", "auvergne_rhone_alpes"),
]  # fmt: skip

ASSIGNMENT_REASONS = [
    "Couverture initiale des comptes select",
    "Expertise sectorielle du partenaire",
    "Présence régionale du partenaire",
    "Demande du client",
]
REASSIGNMENT_REASONS = [
    "Réaffectation après la revue trimestrielle",
    "Capacité du partenaire atteinte",
    "Pas d'activité du partenaire sur le compte depuis six mois",
    "Changement d'interlocuteur chez le client",
]
SECONDARY_REASONS = ["Expertise complémentaire (IA)", "Appui technique sur un projet", "Couverture d'une filiale"]
REJECTION_REASONS = [
    "Compte déjà couvert par un autre partenaire",
    "Opportunité déjà suivie en direct",
    "Informations insuffisantes sur le projet",
    "Hors périmètre de compétence du partenaire",
]

# Billing details: the first digits of postal codes per region, streets, banks (code → BIC), legal forms.
REGION_POSTCODES = {
    "ile_de_france": ["75", "92", "93", "94", "78", "91", "95", "77"],
    "auvergne_rhone_alpes": ["69", "38", "42", "63", "74", "73", "26"],
    "nouvelle_aquitaine": ["33", "87", "86", "64", "17"],
    "occitanie": ["31", "34", "30", "66", "81"],
    "hauts_de_france": ["59", "80", "62", "60"],
    "provence_alpes_cote_azur": ["13", "06", "83", "84"],
    "grand_est": ["67", "51", "57", "68", "54"],
    "pays_de_la_loire": ["44", "49", "72", "85"],
    "bretagne": ["35", "29", "56", "22"],
    "normandie": ["76", "14", "50", "27"],
    "centre_val_de_loire": ["37", "45", "18", "41", "28"],
    "bourgogne_franche_comte": ["21", "25", "90", "71", "89"],
    "corse": ["20"],
    "outre_mer": ["974", "972", "971", "973", "976"],
}  # fmt: skip
STREETS = [
    "rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue Pasteur", "rue du Général de Gaulle",
    "avenue de la Gare", "rue des Entrepreneurs", "allée des Cèdres", "rue de l'Innovation", "quai des Chartrons",
    "cours Lafayette", "rue Nationale", "avenue du Président Wilson", "parc d'activités des Prés", "rue Voltaire",
]  # fmt: skip
BANKS = {30004: "BNPAFRPP", 30003: "SOGEFRPP", 30002: "CRLYFRPP", 30006: "AGRIFRPP", 10278: "CMCIFRPP",
         10107: "BREDFRPP", 20041: "PSSTFRPP"}  # fmt: skip
LEGAL_FORMS = {"SAS": 0.55, "SARL": 0.25, "SA": 0.12, "SASU": 0.08}
VAT_FRANCHISE = "TVA non applicable, art. 293 B du CGI"
