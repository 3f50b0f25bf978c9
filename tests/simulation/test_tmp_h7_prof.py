import cProfile, pstats, io, logging
import pytest
from peerlend.simulation.demo import seed_demo

@pytest.mark.django_db
def test_prof():
    logging.getLogger("peerlend").setLevel(logging.WARNING)
    pr = cProfile.Profile()
    pr.enable()
    seed_demo()
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(60)
    open("/tmp/h7_prof.txt", "w").write(s.getvalue())
