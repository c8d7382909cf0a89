"""The parts of the registry-free place reader, one job a module. The reader itself
(`PlaceReader`, `extract_place`) is classifiers/locate/places.py, which callers import from.

    words          the word file (classifiers/data/place_words.toml), checked; the division names
    vocabulary     those words compiled into the sets and patterns the steps match with
    text           the text prepared for reading: normalised, spoken numbers as digits, stutters out
    note           a closing note that puts a misspelt name right (（是东四南大街 手机打错了）)
    patterns       what several steps look for alike: house numbers, buildings, exits, phases …
    place          the result (Place) and a name found in the text (Name)
    names          step 1: every name in the text, found by its suffix
      name_start     where a name begins, read backwards from its suffix
      divisions      districts and streets
      unsuffixed     estates named without a suffix
      short_schools  schools said short by their number (三中, 实验二小)
      junctions      two roads: a junction, or a stretch between two points
      restated       a name said again at once in other words (a homophone put right, in full)
      corrections    a name or a detail the caller corrects
    assemble       step 2: the place, read forward from the problem's first name
      problem_place  which name is the problem's (not where the caller lives)
      details        number, building, unit, gate, exit, stretch, side
      passed_over    what a caller says between the parts of one place
      said_later     a side said after the place: in a letter's next sentence, 桥上 a few words on
    form           a web form's address field made finer by its content
    dialogue       a transcript's turns: the caller's answers to the operator's questions for the
                   place, and the place the operator read back and the caller confirmed
"""
