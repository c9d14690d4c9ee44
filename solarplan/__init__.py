"""solarplan: rooftop and carport PV and retrofit planning for Chinese public institutions."""
from .errors import ConfigError, InputError, SolarplanError, WeatherError

__version__ = "0.1.0"
__all__ = ["SolarplanError", "InputError", "ConfigError", "WeatherError", "__version__"]
